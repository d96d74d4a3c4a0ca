/**
 * Holds this thread's event loop for `ms`, as a gateway's is held by a fan-out
 * or ingest it cannot keep up with (or by CPU starvation). A test server runs
 * in the test's process, so this is what makes it lag.
 */
export function blockLoopFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy on purpose
  }
}
