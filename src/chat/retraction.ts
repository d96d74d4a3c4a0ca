import type { Bus } from '../bus/bus.ts';
import type { DurableLog } from '../log/log.ts';
import type { UserRef } from '../protocol/types.ts';

/** Why messages vanished, as the `retract` frame says it (docs/protocol.md). */
export type RetractReason = 'deleted' | 'flagged' | 'unstored';

/**
 * Hides messages everywhere: the log stops returning them (history, resume,
 * replay), then every gateway tells its viewers with a `retract` frame.
 * Returns the ids the log found; nothing is published if it found none.
 * `by`: the moderator who deleted them, so pages can say who did.
 */
export async function retractMessages(log: DurableLog, bus: Bus, stream: string, ids: string[], reason: RetractReason, by?: UserRef): Promise<string[]> {
  const found = await log.retract(stream, ids);
  if (found.length > 0) await bus.publish(stream, by === undefined ? { kind: 'retract', ids: found, reason } : { kind: 'retract', ids: found, reason, by });
  return found;
}
