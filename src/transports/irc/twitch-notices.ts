// Refusals and announcements as Twitch NOTICEs: the msg-id is what bots and
// tmi.js branch on; the text follows Twitch's wording where Twitch has one.
import type { ChatError } from '../../protocol/errors.ts';
import { BackendError } from '../../chat/backend-error.ts';
import { MissingParent } from '../../chat/replies.ts';
import type { ErrorCode, Modes } from '../../protocol/types.ts';
import type { TwitchMode } from './twitch-lines.ts';

export interface Notice {
  msgId: string;
  text: string;
}

function seconds(ms: number | undefined): number {
  return Math.max(1, Math.ceil((ms ?? 1_000) / 1_000));
}

const SEND_REFUSALS: Record<ErrorCode, (err: ChatError, channel: string) => Notice> = {
  invalid: (err) => ({ msgId: 'msg_bad_characters', text: `Your message was not sent: ${err.message}.` }),
  // Twitch has no refusal for long lines (tmi.js splits them at 500 characters); this id is Chorus's own.
  too_long: (err) => ({ msgId: 'msg_too_long', text: `Your message was not sent: ${err.message}.` }),
  unauthorized: () => ({ msgId: 'no_permission', text: "You don't have permission to perform that action." }),
  forbidden: () => ({ msgId: 'no_permission', text: "You don't have permission to perform that action." }),
  not_joined: (_err, channel) => ({ msgId: 'no_permission', text: `Join ${channel} first.` }),
  rate_limited: () => ({ msgId: 'msg_ratelimit', text: 'Your message was not sent because you are sending messages too quickly.' }),
  slow_mode: (err) => ({
    msgId: 'msg_slowmode',
    text: `This room is in slow mode and you are sending messages too quickly. You will be able to talk again in ${seconds(err.retryAfterMs)} seconds.`,
  }),
  subscribers_only: () => ({ msgId: 'msg_subsonly', text: 'This room is in subscribers only mode.' }),
  emote_only: () => ({ msgId: 'msg_emoteonly', text: 'This room is in emote-only mode.' }),
  banned: (_err, channel) => ({ msgId: 'msg_banned', text: `You are permanently banned from talking in ${channel.slice(1)}.` }),
  timed_out: (err) => ({ msgId: 'msg_timedout', text: `You are timed out for ${seconds(err.retryAfterMs)} more seconds.` }),
  blocked: () => ({ msgId: 'msg_rejected_mandatory', text: "Your message wasn't posted due to conflicts with the channel's moderation settings." }),
  held: () => ({ msgId: 'msg_rejected', text: 'Hey! Your message is being checked by mods and has not been sent.' }),
  r9k: () => ({ msgId: 'msg_r9k', text: 'This room is in unique-chat mode and the message you attempted to send is not unique.' }),
  duplicate: () => ({ msgId: 'msg_duplicate', text: 'Your message was not sent because it is identical to the previous one you sent, less than 30 seconds ago.' }),
  followers_only: (err) => ({ msgId: 'msg_followersonly', text: `This room is in followers-only mode: ${err.message}.` }),
  // A moderator's warning waits for acknowledgement: Chorus's own id; `/acknowledge` answers it.
  warned: (err) => ({ msgId: 'msg_warned', text: `Your message was not sent: ${err.message} (send /acknowledge).` }),
  overloaded: () => ({ msgId: 'msg_ratelimit', text: 'Your message was not sent because the chat is overloaded; try again shortly.' }),
  // A backing service is down: Twitch has no such refusal; Chorus's own id.
  unavailable: (err) => ({ msgId: 'msg_unavailable', text: `Your message was not sent because the chat is unavailable${refText(err)}; try again shortly.` }),
};

/** ` (ref 8f3a...)` for a backend error, whose real text is in the server's log under that reference; else nothing. */
export function refText(err: ChatError): string {
  return err instanceof BackendError ? ` (ref ${err.ref})` : '';
}

/** The NOTICE for a refused PRIVMSG. A reply to a line that is not there has an id of its own (Chorus's; Twitch has none). */
export function sendRefusal(err: ChatError, channel: string): Notice {
  if (err instanceof MissingParent) return { msgId: 'invalid_parent', text: `Your message was not sent: ${err.message}.` };
  return SEND_REFUSALS[err.code](err, channel);
}

/** The announcement of one mode change, sent with the partial ROOMSTATE. */
export function modeNotice(mode: TwitchMode, modes: Modes): Notice {
  switch (mode) {
    case 'slowSeconds':
      return modes.slowSeconds > 0
        ? { msgId: 'slow_on', text: `This room is now in slow mode. You may send messages every ${modes.slowSeconds} seconds.` }
        : { msgId: 'slow_off', text: 'This room is no longer in slow mode.' };
    case 'subscribersOnly':
      return modes.subscribersOnly
        ? { msgId: 'subs_on', text: 'This room is now in subscribers-only mode.' }
        : { msgId: 'subs_off', text: 'This room is no longer in subscribers-only mode.' };
    case 'emoteOnly':
      return modes.emoteOnly
        ? { msgId: 'emote_only_on', text: 'This room is now in emote-only mode.' }
        : { msgId: 'emote_only_off', text: 'This room is no longer in emote-only mode.' };
    case 'uniqueChatMinutes':
      return modes.uniqueChatMinutes > 0
        ? { msgId: 'r9k_on', text: 'This room is now in unique-chat mode.' }
        : { msgId: 'r9k_off', text: 'This room is no longer in unique-chat mode.' };
    case 'knownForMinutes':
      if (modes.knownForMinutes < 0) return { msgId: 'followers_off', text: 'This room is no longer in followers-only mode.' };
      return modes.knownForMinutes === 0
        ? { msgId: 'followers_on_zero', text: 'This room is now in followers-only mode.' }
        : { msgId: 'followers_on', text: `This room is now in ${modes.knownForMinutes} minutes followers-only mode.` };
  }
}
