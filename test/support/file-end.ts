// What a test file keeps open until its last test (its server, browser,
// gateways, the clients its tests open), closed after that test, newest
// first: the teardown each file used to write out again. One list per file
// (node --test runs each file in a process of its own).
import { after } from 'node:test';
import { Closers } from '../../src/process/closers.ts';

let closers: Closers | undefined;

/** Closes `close` after the file's last test, before anything registered earlier. */
export function closeAtEnd(name: string, close: () => unknown): void {
  if (closers === undefined) {
    const list = (closers = new Closers());
    after(() => list.closeAll());
  }
  closers.add(name, close);
}
