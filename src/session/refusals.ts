import { ChatError } from '../protocol/errors.ts';
import type { ErrorCode } from '../protocol/types.ts';

// The refusals the session itself makes. Each is a ChatError with the code
// docs/protocol.md gives it; the named ones let a codec that words them its
// own way (IRC's NOTICEs) tell them apart without reading the message.

/** A send while the server drains: reconnect after `afterMs`. */
export class ShuttingDown extends ChatError {
  constructor(afterMs: number) {
    super('unavailable', 'this server is shutting down; reconnect', afterMs);
  }
}

/** The user already has maxConnectionsPerUser signed-in connections. */
export class TooManyConnections extends ChatError {
  constructor() {
    super('forbidden', 'this user has too many connections open');
  }
}

/** The connection already watches maxStreamsPerConnection streams. */
export class TooManyStreams extends ChatError {
  readonly max: number;

  constructor(max: number) {
    super('invalid', `a connection may watch at most ${max} streams`);
    this.max = max;
  }
}

export const frameRateExceeded = (): ChatError => new ChatError('rate_limited', 'too many frames; slow down', 1_000);

// Server faults and moderation holds are not the client's doing; every other refusal counts toward the abuse close.
const NOT_A_STRIKE: ReadonlySet<ErrorCode> = new Set(['overloaded', 'unavailable', 'held']);

export function isStrike(refusal: ChatError): boolean {
  return !NOT_A_STRIKE.has(refusal.code);
}
