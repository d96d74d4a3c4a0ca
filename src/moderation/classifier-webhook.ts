import type { Classifier, ClassifierVerdict } from './classifier.ts';

// An answer is one small JSON object; anything longer is refused unread.
const MAX_ANSWER_BYTES = 16 * 1024;
const MAX_REASON_LENGTH = 200;

/**
 * A platform's own classifier (an ML service) behind HTTP: each message is
 * POSTed as its wire JSON; the answer is `{"flag": boolean, "reason"?: string}`
 * with status 2xx. Anything else, and no answer before the signal aborts,
 * is an error.
 */
export function webhookClassifier(url: string): Classifier {
  return async (message, signal) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal,
    });
    const body = await readBounded(response);
    if (!response.ok) throw new Error(`classifier webhook answered ${response.status}`);
    return parseVerdict(body);
  };
}

async function readBounded(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks).toString('utf8');
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new Error(`classifier webhook answer over ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(value);
  }
}

function parseVerdict(body: string): ClassifierVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error('classifier webhook answer is not JSON');
  }
  const { flag, reason } = (parsed ?? {}) as { flag?: unknown; reason?: unknown };
  if (typeof flag !== 'boolean') throw new Error('classifier webhook answer has no boolean "flag"');
  return typeof reason === 'string' ? { flag, reason: reason.slice(0, MAX_REASON_LENGTH) } : { flag };
}
