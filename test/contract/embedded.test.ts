// Runs every seam's contract against the embedded implementations.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBus } from '../../src/bus/memory-bus.ts';
import { SqliteLog } from '../../src/log/sqlite-log.ts';
import { SqliteLogTail } from '../../src/log/sqlite-log-tail.ts';
import { MemoryState } from '../../src/state/memory-state.ts';
import { SqliteStatePersistence } from '../../src/state/sqlite-state-persistence.ts';
import { ExactViewerCounter } from '../../src/viewers/exact-viewer-count.ts';
import { EmbeddedBroker } from '../../src/broker/embedded-broker.ts';
import { withFailingAppends } from '../support/failing-appends.ts';
import { runBrokerContract } from './broker.contract.ts';
import { MemoryHeldStore } from '../../src/held/memory-held-store.ts';
import { runHeldContract } from './held.contract.ts';
import { runBusContract } from './bus.contract.ts';
import { runLogContract } from './log.contract.ts';
import { runLogTailContract } from './log-tail.contract.ts';
import { runReportQueueContract } from './report-queue.contract.ts';
import { SqliteReportQueue } from '../../src/reports/sqlite-report-queue.ts';
import { SqliteModlog } from '../../src/modlog/sqlite-modlog.ts';
import { runModlogContract } from './modlog.contract.ts';
import { runStateContract } from './state.contract.ts';
import { runViewerContract } from './viewers.contract.ts';

async function withTempDir<T extends object>(prefix: string, build: (file: string) => T): Promise<T & { cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // A directory that does not exist yet: the implementations must create it.
  const file = join(dir, 'data', 'chorus.db');
  return { ...build(file), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

// The contract's throwing-handler test throws on purpose; keep its errors out of the test output.
runBusContract('MemoryBus', async () => new MemoryBus({ onHandlerError: () => {} }), { peer: async (bus) => bus });

runLogContract('SqliteLog', () =>
  withTempDir('chorus-log-', (path) => ({
    open: () => SqliteLog.open({ path, retentionMs: 3 * 3_600_000, maxMessagesPerStream: 100_000 }),
  })),
);

runLogTailContract('SqliteLogTail', () =>
  withTempDir('chorus-tail-', (path) => ({
    open: async () => {
      const log = await SqliteLog.open({ path, retentionMs: 3 * 3_600_000, maxMessagesPerStream: 100_000 });
      return { log, tail: new SqliteLogTail(log, { pollMs: 20, retryMs: 50 }) };
    },
  })),
);

runReportQueueContract('SqliteReportQueue', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-reports-'));
  return {
    open: async (bounds) => new SqliteReportQueue({ path: join(dir, 'data', 'reports.db'), ...bounds }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

runModlogContract('SqliteModlog', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-modlog-'));
  return {
    open: async (options) => new SqliteModlog(join(dir, 'data', 'modlog.db'), options),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

runStateContract('MemoryState + SqliteStatePersistence', () =>
  withTempDir('chorus-state-', (path) => ({
    open: async () => new MemoryState({ persistence: new SqliteStatePersistence(path) }),
  })),
  { shared: false },
);

runViewerContract('ExactViewerCounter', async () => new ExactViewerCounter(), { exact: true });

runBrokerContract('EmbeddedBroker (MemoryBus + SqliteLog)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-broker-'));
  const path = join(dir, 'data', 'chorus.db');
  return {
    open: async () => {
      const stored = await SqliteLog.open({ path, retentionMs: 3 * 3_600_000, maxMessagesPerStream: 100_000 });
      const appends = withFailingAppends(stored);
      const bus = new MemoryBus();
      const broker = new EmbeddedBroker(appends.log, bus, { onPublishError: (err) => console.error('publish failed', err) });
      return {
        broker, bus, stored, failAppends: appends.fail,
        close: async () => {
          await bus.close();
          await stored.close();
        },
      };
    },
    // The embedded counter lives in memory: a restart loses it anyway.
    loseCounters: async () => {},
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}, { shared: false });

runHeldContract('MemoryHeldStore', { open: async (bounds) => new MemoryHeldStore(bounds) });
