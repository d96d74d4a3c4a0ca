import type { DurableLog } from '../../src/log/log.ts';
import { withFaults } from './seam-faults.ts';

/** A log whose appends reject while `fail(true)` is in force (the store is down); everything else goes to `log`. */
export function withFailingAppends(log: DurableLog): { log: DurableLog; fail(on: boolean): void } {
  const faults = withFaults(log);
  return {
    log: faults.seam,
    fail: (on) => (on ? faults.fail('append', new Error('append refused (test)')) : faults.restore('append')),
  };
}
