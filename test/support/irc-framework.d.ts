// irc-framework ships no types; the tests use its documented Client API and line parser only.
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
  /** Its line parser (the one the Client uses): tags unescaped. */
  export function ircLineParser(line: string): { tags: Record<string, string>; prefix: string; nick: string; command: string; params: string[] };
  const irc: { Client: typeof Client; ircLineParser: typeof ircLineParser };
  export default irc;
}
