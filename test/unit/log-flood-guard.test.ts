import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { LogFloodGuard } from '../../src/observability/log-flood-guard.ts';

function guardedLogger(windowMs: number): { logger: pino.Logger; lines: Array<Record<string, any>>; guard: LogFloodGuard } {
  const lines: Array<Record<string, any>> = [];
  const guard = new LogFloodGuard({ windowMs });
  const logger = pino({ level: 'info', hooks: { logMethod: guard.logMethod } }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines, guard };
}

test('an error repeated within a window is logged once in full, the rest as one line with their count and refs', async () => {
  const { logger, lines } = guardedLogger(200);
  for (let i = 0; i < 1_000; i++) logger.error({ err: new Error('Redis did not answer within 1000 ms'), ref: `r${i}`, stream: 's' }, 'backend error');
  logger.error({ err: new Error('disk full'), ref: 'd0' }, 'backend error');
  logger.info({ n: 1 }, 'not an error');
  logger.info({ n: 2 }, 'not an error');
  assert.deepEqual(lines.map((l) => [l.msg, l.ref ?? null]), [['backend error', 'r0'], ['backend error', 'd0'], ['not an error', null], ['not an error', null]]);
  assert.match(lines[0]!.err.stack, /Redis did not answer/, 'the first is logged in full, with its stack');
  // At the end of the window, one summary line for what was folded into it.
  await sleep(400);
  const summary = lines.find((l) => l.msg === 'backend error repeated');
  assert.ok(summary !== undefined, JSON.stringify(lines));
  assert.deepEqual([summary.error, summary.repeated, summary.refs.length, summary.refs[0]], ['Redis did not answer within 1000 ms', 999, 50, 'r1']);
  assert.equal(lines.filter((l) => l.msg === 'backend error repeated').length, 1, 'disk full happened once: nothing to sum up');
  // After the window the next one is logged in full again.
  logger.error({ err: new Error('Redis did not answer within 1000 ms'), ref: 'later' }, 'backend error');
  assert.equal(lines.at(-1)!.ref, 'later');
});

test('flush writes the open windows\' summaries at once (the process is stopping), and a child logger is guarded too', () => {
  const { logger, lines, guard } = guardedLogger(60_000);
  const child = logger.child({ part: 'chat' });
  for (let i = 0; i < 3; i++) child.error({ err: new Error('kafka: broker down'), ref: `k${i}` }, 'backend error');
  assert.equal(lines.length, 1);
  guard.flush();
  assert.deepEqual(lines.map((l) => [l.msg, l.repeated ?? null, l.part]), [['backend error', null, 'chat'], ['backend error repeated', 2, 'chat']]);
  assert.deepEqual(lines[1]!.refs, ['k1', 'k2']);
  guard.flush();
  assert.equal(lines.length, 2, 'a window is summed up once');
});
