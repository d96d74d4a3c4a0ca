import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.ts';
import type { BrokerHistory } from '../broker/broker.ts';
import type { ModlogStore } from '../modlog/modlog-store.ts';
import { MODLOG_TEXT_MAX, type ModlogInput } from '../protocol/modlog-entry.ts';

export interface ModlogRecorderOptions {
  store: ModlogStore;
  /** The stream's newest seq, stamped on each entry. */
  history: Pick<BrokerHistory, 'lastSeq'>;
  /** Entries reach the stream's moderators live through its bus (moderator-frames.ts). */
  bus: Bus;
  now: () => number;
  logger: Logger;
}

/**
 * The one entry point of the audit log: a moderator action's handler calls
 * `record` once the action took effect. The entry is stamped (actor, time,
 * the stream's seq), stored, then published to the stream's moderators.
 * Recording never undoes or refuses the action: when the audit log cannot be
 * written the action has happened already, so the loss is logged at error
 * level (docs/decisions.md, "The audit log").
 */
export class ModlogRecorder {
  readonly #o: ModlogRecorderOptions;

  constructor(options: ModlogRecorderOptions) {
    this.#o = options;
  }

  async record(actor: { id: string; name: string }, stream: string, input: ModlogInput): Promise<void> {
    const o = this.#o;
    try {
      const seq = await o.history.lastSeq(stream);
      const entry = await o.store.append({ ...bounded(input), stream, ts: o.now(), seq, actor: { id: actor.id, name: actor.name } });
      await o.bus.publish(stream, { kind: 'modlog', entry });
    } catch (err) {
      o.logger.error({ err, stream, action: input.action, actor: actor.id }, 'moderator action not recorded in the audit log');
    }
  }
}

/** A reason or detail longer than the bound is cut: the entry is kept, its free text bounded. */
function bounded(input: ModlogInput): ModlogInput {
  const out: ModlogInput = { ...input };
  if (out.reason !== undefined) out.reason = out.reason.slice(0, MODLOG_TEXT_MAX);
  if (out.detail !== undefined) out.detail = out.detail.slice(0, MODLOG_TEXT_MAX);
  return out;
}
