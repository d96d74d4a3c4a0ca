// Twitch's spam-mode commands as tmi.js sends them for r9kbeta(), r9kbetaoff(),
// followersonly(minutes) and followersonlyoff(): /r9kbeta, /r9kbetaoff,
// /followers [duration], /followersoff. Unique chat is Chorus's `uniqueChatMinutes`,
// followers-only its "known for N minutes" gate (`knownForMinutes`, -1 off).
import { MAX_KNOWN_FOR_MINUTES } from '../../protocol/schemas.ts';
import type { Modes } from '../../protocol/types.ts';
import { noticeLine, roomstateChangeLine } from './twitch-lines.ts';

/** The window /r9kbeta switches unique chat on with (Twitch's has none: a stream's whole history). */
export const R9K_MINUTES = 10;

export interface SpamModeCommand {
  mode: 'uniqueChatMinutes' | 'knownForMinutes';
  value: number;
  /** Whether the stream already is in that mode (nothing to change). */
  isUnchanged: (modes: Modes) => boolean;
  /** The answer when it is: tmi.js rejects r9kbeta() on already_r9k_on, and resolves followersonly() on a ROOMSTATE. */
  unchanged: (stream: string, modes: Modes) => string;
}

export type SpamModeParse = SpamModeCommand | { usage: string } | undefined;

const DURATION = /^(\d{1,6})\s*(m|mi|min|mins|minutes?|h|hours?|d|days?|w|weeks?|mo|months?)?$/i;
const MINUTES_PER: Record<string, number> = { m: 1, h: 60, d: 1_440, w: 10_080, mo: 43_200 };

/** A followers-only duration as Twitch takes it ("30", "30m", "1h", "2 days", "1mo"), in minutes; undefined when it is not one. */
export function followersMinutes(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const unit = (match[2] ?? 'm').toLowerCase();
  const per = MINUTES_PER[unit.startsWith('mo') ? 'mo' : unit[0]!]!;
  const minutes = Number(match[1]) * per;
  return minutes <= MAX_KNOWN_FOR_MINUTES ? minutes : undefined;
}

const roomstate = (mode: SpamModeCommand['mode']) => (stream: string, modes: Modes): string => roomstateChangeLine(stream, mode, modes);
const already = (msgId: string, text: string) => (stream: string): string => noticeLine('#' + stream, msgId, text);

/** The command `name` with its arguments, if it is one of these; `usage` names the msg-id of a bad argument. */
export function parseSpamModeCommand(name: string, args: readonly string[]): SpamModeParse {
  switch (name) {
    case 'r9kbeta':
      return { mode: 'uniqueChatMinutes', value: R9K_MINUTES, isUnchanged: (m) => m.uniqueChatMinutes > 0, unchanged: already('already_r9k_on', 'This room is already in unique-chat mode.') };
    case 'r9kbetaoff':
      return { mode: 'uniqueChatMinutes', value: 0, isUnchanged: (m) => m.uniqueChatMinutes === 0, unchanged: already('already_r9k_off', 'This room is not in unique-chat mode.') };
    case 'followers': {
      const minutes = args.length === 0 ? 0 : followersMinutes(args.join(' '));
      if (minutes === undefined) return { usage: 'usage_followers_on' };
      return { mode: 'knownForMinutes', value: minutes, isUnchanged: (m) => m.knownForMinutes === minutes, unchanged: roomstate('knownForMinutes') };
    }
    case 'followersoff':
      return { mode: 'knownForMinutes', value: -1, isUnchanged: (m) => m.knownForMinutes === -1, unchanged: roomstate('knownForMinutes') };
    default:
      return undefined;
  }
}
