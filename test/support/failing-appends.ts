import type { DurableLog } from '../../src/log/log.ts';

/** A log whose appends reject while `fail(true)` is in force (the store is down); everything else goes to `log`. */
export function withFailingAppends(log: DurableLog): { log: DurableLog; fail(on: boolean): void } {
  let failing = false;
  const wrapped = new Proxy(log, {
    get(target, property) {
      if (property === 'append' && failing) return async () => Promise.reject(new Error('append refused (test)'));
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { log: wrapped, fail: (on) => (failing = on) };
}
