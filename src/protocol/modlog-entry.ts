/**
 * What the audit log names: every moderator action. warn, restrict,
 * unrestrict and clear are recorded by their actions once those exist; the
 * recorder takes any of these names through the same one call.
 */
export const MODLOG_ACTIONS = [
  'delete', 'timeout', 'ban', 'unban', 'modes', 'rules', 'grant', 'revoke', 'approve', 'deny', 'resolve', 'pin', 'unpin',
  'warn', 'restrict', 'unrestrict', 'clear',
] as const;
export type ModlogAction = (typeof MODLOG_ACTIONS)[number];

/** What an action's handler says about it; the recorder adds who, when and the stream's seq. */
export interface ModlogInput {
  action: ModlogAction;
  /** The user the action was aimed at (a deleted line's author included), when there is one. */
  user?: { id: string; name?: string };
  /** The line it was about (delete, approve, deny, pin, a report's line). */
  message?: string;
  /** Why, as the moderator gave it (a timeout's or ban's reason, a report's). */
  reason?: string;
  /** What was set, in a few words (a timeout's length, the modes changed, the role, a report's resolution). */
  detail?: string;
}

/** One entry of a stream's audit log (GET /api/streams/:s/modlog, the v1 `modlog` frame). */
export interface ModlogEntry extends ModlogInput {
  /** Its place in the stream's audit log, larger for later entries: the paging cursor. */
  cursor: number;
  stream: string;
  /** When, ms since epoch. */
  ts: number;
  /** The stream's newest seq at that moment: the action came after that line. */
  seq: number;
  actor: { id: string; name: string };
}

/** Longest reason and detail kept (a reason is the moderator's free text). */
export const MODLOG_TEXT_MAX = 200;
