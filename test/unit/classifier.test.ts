// The classifier pieces: the webhook against a real HTTP server, the term
// list, and the consumer handler (bounded concurrency, timeouts, retraction
// through a real SQLite log and the in-process bus).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MemoryBus } from '../../src/bus/memory-bus.ts';
import type { BusEvent } from '../../src/bus/bus.ts';
import type { LoggedMessage } from '../../src/log/log.ts';
import { SqliteLog } from '../../src/log/sqlite-log.ts';
import { anyOf, type Classifier } from '../../src/moderation/classifier.ts';
import { classifierHandler, type CheckOutcome } from '../../src/moderation/classifier-consumer.ts';
import { termsClassifier } from '../../src/moderation/classifier-terms.ts';
import { webhookClassifier } from '../../src/moderation/classifier-webhook.ts';
import type { Message } from '../../src/protocol/types.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

// Answers by path: each path is one way a classifier service can behave.
let server: Server;
let base: string;
before(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      switch (request.url) {
        case '/flag': return void response.end(JSON.stringify({ flag: true, reason: 'r'.repeat(1000) }));
        case '/clean': return void response.end('{"flag":false}');
        case '/not-json': return void response.end('<html>');
        case '/no-flag': return void response.end('{"flagged":true}');
        case '/huge': return void response.end(JSON.stringify({ flag: true, reason: 'x'.repeat(100_000) }));
        case '/error': return void response.writeHead(503).end('{"flag":false}');
        default: return; // never answers
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function message(seq: number, text: string, stream = 's'): Message {
  return { id: `${stream}-${seq}`, stream, seq, ts: Date.now(), user: { id: 'u', name: 'u', badges: [] }, text };
}

const check = (path: string, text = 'hi') => webhookClassifier(base + path)(message(1, text), AbortSignal.timeout(2_000));

test('webhook: the answer decides; a long reason is cut', async () => {
  const flagged = await check('/flag');
  assert.equal(flagged.flag, true);
  assert.equal(flagged.reason!.length, 200);
  assert.deepEqual(await check('/clean'), { flag: false });
});

test('webhook: a bad status, a non-JSON or flagless answer, an oversized one and no answer are errors', async () => {
  await assert.rejects(check('/error'), /503/);
  await assert.rejects(check('/not-json'), /not JSON/);
  await assert.rejects(check('/no-flag'), /boolean "flag"/);
  await assert.rejects(check('/huge'), /over 16384 bytes/);
  await assert.rejects(webhookClassifier(`${base}/silent`)(message(1, 'x'), AbortSignal.timeout(100)), /TimeoutError|aborted/i);
});

test('terms classifier and anyOf: the first flag wins', async () => {
  const terms = termsClassifier(['spoiler']);
  const signal = AbortSignal.timeout(1_000);
  assert.equal((await terms(message(1, 'big SP0ILER ahead'), signal)).flag, true);
  assert.equal((await terms(message(1, 'nothing here'), signal)).flag, false);
  let webhookAsked = 0;
  const counting: Classifier = async () => {
    webhookAsked++;
    return { flag: false };
  };
  const both = anyOf([terms, counting]);
  assert.equal((await both(message(1, 'spoiler'), signal)).flag, true);
  assert.equal(webhookAsked, 0);
  assert.equal((await both(message(1, 'fine'), signal)).flag, false);
  assert.equal(webhookAsked, 1);
});

test('the handler checks at most `concurrency` at once, times out the silent, and retracts the flagged through log and bus', async () => {
  const dir = tempDir();
  const log = await SqliteLog.open({ path: join(dir, 'chorus.db'), retentionMs: 3_600_000, maxMessagesPerStream: 1000 });
  const bus = new MemoryBus();
  try {
    const published: BusEvent[] = [];
    await bus.subscribe('s', (_stream, event) => published.push(event));
    const entries: LoggedMessage[] = Array.from({ length: 20 }, (_, i) => ({
      message: message(i + 1, i % 5 === 0 ? 'flag me' : i === 7 ? 'hang' : i === 8 ? 'throw' : 'fine'),
      sampled: false,
    }));
    await log.append(entries);
    let running = 0;
    let most = 0;
    const classify: Classifier = async (m) => {
      running++;
      most = Math.max(most, running);
      try {
        if (m.text === 'hang') await new Promise(() => {}); // ignores its signal: the handler must not wait for it
        if (m.text === 'throw') throw new Error('model exploded');
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { flag: m.text === 'flag me' };
      } finally {
        running--;
      }
    };
    const outcomes: CheckOutcome[] = [];
    const flagged: string[] = [];
    const errors: unknown[] = [];
    const handle = classifierHandler({
      classify, log, bus,
      concurrency: 3,
      timeoutMs: 100,
      onOutcome: (o) => outcomes.push(o),
      onCheckError: (e) => errors.push(e),
      onFlagged: (m) => flagged.push(m.id),
    });
    await handle(entries);
    assert.ok(most <= 3 && most >= 2, `at most 3 at once, got ${most}`);
    const tally = (o: CheckOutcome): number => outcomes.filter((x) => x === o).length;
    assert.deepEqual([tally('flagged'), tally('clean'), tally('timeout'), tally('error')], [4, 14, 1, 1]);
    assert.equal(errors.length, 2);
    const expected = ['s-1', 's-6', 's-11', 's-16'];
    assert.deepEqual(flagged.sort(), [...expected].sort());
    // One retract event for the batch's stream, as a moderator's delete publishes it.
    assert.equal(published.length, 1);
    const [event] = published;
    assert.ok(event!.kind === 'retract');
    assert.equal(event.reason, 'flagged');
    assert.deepEqual([...event.ids].sort(), [...expected].sort());
    const left = (await log.latest('s', 100)).messages.map((m) => m.id);
    assert.equal(left.length, 16);
    assert.ok(expected.every((id) => !left.includes(id)));
  } finally {
    await bus.close();
    await log.close();
    removeDir(dir);
  }
});

test('a check that was answered leaves nothing armed: its signal never aborts afterwards', async () => {
  const signals = new Map<string, AbortSignal>();
  const classify: Classifier = async (m, signal) => {
    signals.set(m.text, signal);
    if (m.text === 'hang') await new Promise(() => {});
    return { flag: false };
  };
  const outcomes: CheckOutcome[] = [];
  const handle = classifierHandler({
    // Nothing is flagged here, so nothing is retracted: the log and the bus are never touched.
    classify, log: undefined as never, bus: undefined as never, concurrency: 2, timeoutMs: 50,
    onOutcome: (o) => outcomes.push(o), onCheckError: () => {}, onFlagged: () => {},
  });
  await handle([{ message: message(1, 'fine'), sampled: false }, { message: message(2, 'hang'), sampled: false }]);
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.deepEqual(outcomes.sort(), ['clean', 'timeout']);
  assert.equal(signals.get('hang')!.aborted, true, 'the silent check was timed out through its signal');
  assert.equal(signals.get('fine')!.aborted, false, 'the answered check\'s signal stays quiet after the timeout has passed');
});
