import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ChatError } from '../protocol/errors.ts';

const RETRY_AFTER_MS = 1_000;

/**
 * A refusal for a failure that is the server's, not the client's: SQLite,
 * Redis or Kafka failed (or a bug threw). Their texts name files, hosts and
 * internals, so a client (WebSocket error frame, HTTP body, IRC NOTICE) reads
 * only `unavailable` and a reference; the server's log has the real error
 * under the same reference, for the operator a user quotes it to.
 */
export class BackendError extends ChatError {
  readonly ref: string;

  constructor(ref: string, cause: unknown) {
    super('unavailable', `unavailable: backend error (ref ${ref})`, RETRY_AFTER_MS);
    this.ref = ref;
    this.cause = cause;
  }
}

/** Logs `err` under a fresh reference and returns the refusal the client gets. `context` goes into the log line. */
export function backendError(logger: Logger, err: unknown, context: Record<string, unknown> = {}): BackendError {
  const ref = randomBytes(6).toString('hex');
  logger.error({ ...context, err, ref }, 'backend error');
  return new BackendError(ref, err);
}

/** A refusal as it is; anything else thrown is a backend error, logged. */
export function asRefusal(logger: Logger, err: unknown, context: Record<string, unknown> = {}): ChatError {
  return err instanceof ChatError ? err : backendError(logger, err, context);
}
