// A real seam with faults switched on and off per method: for the few tests
// that must see a backing service fail or answer late. Everything not
// switched goes to the real implementation.
type Method<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof T];

export interface SeamFaults<T> {
  seam: T;
  /** Calls of `method` reject with `error` (the service is down) until restored. */
  fail(method: Method<T>, error: Error): void;
  /** Calls of `method` reach the real seam, but their answers wait until `release` (the service is slow). */
  hold(method: Method<T>): { release(): void };
  /** Calls of `method` go to `fault` instead, which may call the real seam's `method` (bound) itself. */
  replace(method: Method<T>, fault: (real: (...args: never[]) => Promise<unknown>) => (...args: never[]) => Promise<unknown>): void;
  restore(method: Method<T>): void;
}

export function withFaults<T extends object>(real: T): SeamFaults<T> {
  const faults = new Map<PropertyKey, (...args: unknown[]) => Promise<unknown>>();
  const seam = new Proxy(real, {
    get(target, property) {
      const fault = faults.get(property);
      if (fault !== undefined) return fault;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const original = (method: PropertyKey): ((...args: unknown[]) => Promise<unknown>) =>
    (Reflect.get(real, method, real) as (...args: unknown[]) => Promise<unknown>).bind(real);
  return {
    seam,
    fail(method, error) {
      faults.set(method, async () => Promise.reject(error));
    },
    hold(method) {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const call = original(method);
      faults.set(method, async (...args) => {
        const answer = await call(...args);
        await gate;
        return answer;
      });
      return { release };
    },
    replace(method, fault) {
      faults.set(method, fault(original(method)) as (...args: unknown[]) => Promise<unknown>);
    },
    restore(method) {
      faults.delete(method);
    },
  };
}
