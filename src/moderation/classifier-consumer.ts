import type { Bus } from '../bus/bus.ts';
import { retractMessages } from '../chat/retraction.ts';
import type { DurableLog, LoggedMessage } from '../log/log.ts';
import type { TailHandler } from '../log/log-tail.ts';
import type { Message } from '../protocol/types.ts';
import type { Classifier, ClassifierVerdict } from './classifier.ts';

export type CheckOutcome = 'clean' | 'flagged' | 'error' | 'timeout';

export interface ClassifierConsumerDeps {
  classify: Classifier;
  log: DurableLog;
  bus: Bus;
  /** Checks running at once. */
  concurrency: number;
  /** Longest one check may take; then it counts as `timeout`. */
  timeoutMs: number;
  /** Every check's outcome, for the metrics. */
  onOutcome: (outcome: CheckOutcome) => void;
  onCheckError: (error: unknown, message: Message) => void;
  onFlagged: (message: Message, reason: string | undefined) => void;
}

/**
 * The classifier's consumer-group handler: checks each delivered message,
 * at most `concurrency` at once and each within `timeoutMs`, and retracts
 * the flagged ones as a moderator's delete does (log, then a `retract` frame
 * with reason `flagged`). A failing or slow classifier costs only its own
 * checks (counted, the message stays); a failing retraction fails the batch,
 * which then comes again.
 */
export function classifierHandler(d: ClassifierConsumerDeps): TailHandler {
  const check = async (message: Message): Promise<ClassifierVerdict | undefined> => {
    // A timer cleared when the check ends: AbortSignal.timeout's would fire for every message, long after its
    // check was answered, and abort a signal the classifier may still hold, building a DOMException each time.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`classifier check took over ${d.timeoutMs} ms`, 'TimeoutError')), d.timeoutMs);
    const signal = controller.signal;
    try {
      const verdict = await untilAborted(d.classify(message, signal), signal);
      d.onOutcome(verdict.flag ? 'flagged' : 'clean');
      return verdict;
    } catch (error) {
      d.onOutcome(signal.aborted ? 'timeout' : 'error');
      d.onCheckError(error, message);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };

  return async (records) => {
    const flagged = new Map<string, string[]>();
    await forEachLimited(records, d.concurrency, async ({ message }) => {
      const verdict = await check(message);
      if (verdict?.flag !== true) return;
      d.onFlagged(message, verdict.reason);
      const ids = flagged.get(message.stream);
      if (ids === undefined) flagged.set(message.stream, [message.id]);
      else ids.push(message.id);
    });
    for (const [stream, ids] of flagged) await retractMessages(d.log, d.bus, stream, ids, 'flagged');
  };
}

/** `work`, or a rejection once `signal` aborts, whichever comes first: a classifier that ignores its signal cannot hold the batch. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function forEachLimited(records: readonly LoggedMessage[], limit: number, each: (record: LoggedMessage) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) await each(records[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, records.length) }, worker));
}
