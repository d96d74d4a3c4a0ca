// irc-framework ships no types; the tests use its documented Client API only.
declare module 'irc-framework' {
  import type { EventEmitter } from 'node:events';
  export class Client extends EventEmitter {
    constructor(options?: Record<string, unknown>);
    connect(options?: Record<string, unknown>): void;
    requestCap(caps: string | string[]): void;
    join(channel: string): void;
    say(target: string, message: string): void;
    raw(line: string): void;
    quit(message?: string): void;
    readonly connected: boolean;
  }
  const irc: { Client: typeof Client };
  export default irc;
}
