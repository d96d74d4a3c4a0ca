// What a test file keeps open until its last test (its server, browser,
// gateways, the clients its tests open), closed after that test, newest
// first: the teardown each file used to write out again. One list per file
// (node --test runs each file in a process of its own).
import { after } from 'node:test';
import { Closers } from '../../src/process/closers.ts';

// Three regions' gateways and brokers take up to a minute or two to stop on a loaded machine.
const TEARDOWN_TIMEOUT_MS = 180_000;
let closers: Closers | undefined;

/** Closes `close` after the file's last test, before anything registered earlier. */
export function closeAtEnd(name: string, close: () => unknown): void {
  if (closers === undefined) {
    const list = (closers = new Closers());
    // Bounded: a part that never closes fails the file instead of holding the run open.
    after(() => list.closeAll(), { timeout: TEARDOWN_TIMEOUT_MS });
  }
  closers.add(name, close);
}
