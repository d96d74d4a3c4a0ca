// The two wires the load generator speaks, read straight from the frame bytes:
// a load worker sees every frame of thousands of sockets, so it classifies a
// frame by one byte and never parses the JSON of a chat line.
import type { DialectName } from './protocol.ts';

/** What a frame is, as far as the load worker cares. */
export const Kind = {
  /** Ignored (welcome, state, retract, pong, ...). */
  Other: 0,
  /** The connection is ready to join and send. */
  Ready: 1,
  /** Needs an answer (Socket.IO's handshake and pings): `dialect.reply`. */
  Reply: 2,
  Joined: 3,
  Lines: 4,
  Ack: 5,
  Error: 6,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export interface Dialect {
  url(base: string): string;
  /** True when the connection is ready as soon as the WebSocket opens. */
  readyOnOpen: boolean;
  classify(data: Buffer): Kind;
  reply(data: Buffer): string;
  auth(token: string): string | undefined;
  join(stream: string, history: number): string;
  send(stream: string, text: string, nonce: number): string;
}

const at = (data: Buffer, i: number): number => data[i] ?? 0;
const c = (ch: string): number => ch.charCodeAt(0);

/** A frame by the first letter of its name (type or event): batch and msg carry lines. Both wires name frames alike. */
function kindByName(first: number): Kind {
  switch (first) {
    case c('b'):
    case c('m'):
      return Kind.Lines;
    case c('j'):
      return Kind.Joined;
    case c('a'):
      return Kind.Ack;
    case c('e'):
      return Kind.Error;
    default:
      return Kind.Other;
  }
}

/** Chorus v1 (../shared/PROTOCOL.md): `{"type":"<name>"...`, the name starting at byte 9. */
const chorus: Dialect = {
  url: (base) => base,
  readyOnOpen: true,
  classify: (data) => kindByName(at(data, 9)),
  reply: () => '',
  auth: (token) => JSON.stringify({ type: 'auth', token }),
  join: (stream, history) => JSON.stringify({ type: 'join', stream, history }),
  send: (stream, text, nonce) => JSON.stringify({ type: 'send', stream, text, nonce }),
};

/**
 * Socket.IO 4 over its WebSocket transport (Engine.IO 4): `0{...}` opens,
 * `40` connects the default namespace, `2` is a ping answered by `3`, and an
 * event is `42["<name>",<payload>]`, the name starting at byte 4.
 */
const socketio: Dialect = {
  url: (base) => base.replace(/\/ws$/, '/socket.io/?EIO=4&transport=websocket'),
  readyOnOpen: false,
  classify(data) {
    const first = at(data, 0);
    if (first === c('0') || first === c('2')) return Kind.Reply;
    if (first !== c('4')) return Kind.Other;
    if (at(data, 1) === c('0')) return Kind.Ready;
    return at(data, 1) === c('2') ? kindByName(at(data, 4)) : Kind.Other;
  },
  reply: (data) => (at(data, 0) === c('0') ? '40' : '3'),
  auth: () => undefined,
  join: (stream, history) => `42${JSON.stringify(['join', { stream, history }])}`,
  send: (stream, text, nonce) => `42${JSON.stringify(['send', { stream, text, nonce }])}`,
};

export const DIALECTS: Record<DialectName, Dialect> = { chorus, socketio };

const SEQ = Buffer.from('"seq":');
const TS = Buffer.from('"ts":');
const NONCE = Buffer.from('"nonce":');
const CODE = Buffer.from('"code":"');

/** The unsigned integer at `from`, or -1. */
export function numberAt(data: Buffer, from: number): number {
  let n = 0;
  let digits = 0;
  for (let i = from; i < data.length; i++) {
    const d = data[i]! - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
    digits++;
  }
  return digits === 0 ? -1 : n;
}

/** The first `"seq":` of a frame (joined's LAST, an ack's seq). */
export function firstSeq(data: Buffer): number {
  const i = data.indexOf(SEQ);
  return i === -1 ? -1 : numberAt(data, i + SEQ.length);
}

/** The last `"seq":` of a frame: the newest line of a batch. */
export function lastSeq(data: Buffer): number {
  const i = data.lastIndexOf(SEQ);
  return i === -1 ? -1 : numberAt(data, i + SEQ.length);
}

/**
 * The server's stamp time (`ts`) of the line whose text ends at `at`: the
 * last `"ts":` before it, or -1 on a wire whose lines carry none.
 */
export function stampBefore(data: Buffer, at: number): number {
  const i = data.lastIndexOf(TS, at);
  return i === -1 ? -1 : numberAt(data, i + TS.length);
}

export function nonceOf(data: Buffer): number {
  const i = data.indexOf(NONCE);
  return i === -1 ? -1 : numberAt(data, i + NONCE.length);
}

export function errorCodeOf(data: Buffer): string {
  const i = data.indexOf(CODE);
  if (i === -1) return 'unknown';
  const end = data.indexOf(34, i + CODE.length); // the closing quote
  return data.toString('latin1', i + CODE.length, end === -1 ? data.length : end);
}
