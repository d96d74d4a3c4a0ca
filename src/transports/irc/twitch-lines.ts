// The lines a Twitch chat client expects, built from Chorus's objects. Server
// lines carry the prefix `tmi.twitch.tv` and users' lines `nick!nick@nick.tmi.twitch.tv`,
// because tmi.js dispatches on the exact prefix.
import type { Message, Modes, Role, User } from '../../protocol/types.ts';
import { formatLine, formatTags } from './irc-line.ts';

export const SERVER = 'tmi.twitch.tv';
/** The keepalive: a client that answers nothing (a PONG or any other line) before the next one is dropped. */
export const PING_LINE = `PING :${SERVER}\r\n`;

export type Tags = Array<[string, string]>;

export function loginOf(name: string): string {
  return name.toLowerCase();
}

export function userPrefix(login: string): string {
  return `${login}!${login}@${login}.${SERVER}`;
}

/** A line from the server. Lines are built with their tags; see `withoutTags`. */
export function serverLine(tags: Tags | undefined, command: string, params: readonly string[], trailing?: string): string {
  return formatLine(tags === undefined ? '' : formatTags(tags), SERVER, command, params, trailing);
}

function badgesOf(badges: readonly Role[]): string {
  // Twitch's badge versions: subscriber/0 is a first-month subscriber, the rest are /1.
  return badges.map((b) => (b === 'subscriber' ? 'subscriber/0' : `${b}/1`)).join(',');
}

/** The tags that describe a user in a room (PRIVMSG, USERNOTICE and USERSTATE share them). */
export function userTags(user: User): Tags {
  const mod = user.badges.includes('moderator');
  const tags: Tags = [
    ['badge-info', ''],
    ['badges', badgesOf(user.badges)],
    ['color', (user.color ?? '').toUpperCase()],
    ['display-name', user.name],
    ['mod', mod ? '1' : '0'],
    ['subscriber', user.badges.includes('subscriber') ? '1' : '0'],
    ['user-type', mod ? 'mod' : ''],
  ];
  if (user.badges.includes('vip')) tags.push(['vip', '1']);
  return tags;
}

/**
 * Twitch's emotes tag: `id:first-last,...` with code-point indexes, last
 * inclusive. Chorus emotes have names, not ids; the id is the name
 * percent-encoded, so `:`, `/` and `,` (which separate the tag's parts) never
 * appear in it and `decodeURIComponent(id)` gives the name back.
 */
export function emotesTag(message: Message): string {
  if (message.emotes === undefined || message.emotes.length === 0) return '';
  const ranges = new Map<string, string[]>();
  for (const emote of message.emotes) {
    const first = codePointIndex(message.text, emote.start);
    const last = first + codePointIndex(message.text.slice(emote.start, emote.end), emote.end - emote.start) - 1;
    const id = encodeURIComponent(emote.name);
    let list = ranges.get(id);
    if (list === undefined) ranges.set(id, (list = []));
    list.push(`${first}-${last}`);
  }
  return [...ranges].map(([id, list]) => `${id}:${list.join(',')}`).join('/');
}

function codePointIndex(text: string, utf16Offset: number): number {
  let count = 0;
  for (const _ of text.slice(0, utf16Offset)) count++;
  return count;
}

/** A chat line as other clients of the room receive it. */
export function privmsgLine(message: Message): string {
  const login = loginOf(message.user.name);
  const tags = formatTags([
    ...userTags(message.user),
    ['emotes', emotesTag(message)],
    ['first-msg', message.first === true ? '1' : '0'],
    ['flags', ''],
    ['id', message.id],
    ...replyTags(message),
    ['returning-chatter', message.returning === true ? '1' : '0'],
    ['room-id', message.stream],
    ['tmi-sent-ts', String(message.ts)],
    ['turbo', '0'],
    ['user-id', message.user.id],
  ]);
  return formatLine(tags, userPrefix(login), 'PRIVMSG', ['#' + message.stream], message.text);
}

/** Twitch's reply tags: the parent's id, author and text, and the thread's first line. None for a line that answers nothing. */
export function replyTags(message: Message): Tags {
  const reply = message.reply;
  if (reply === undefined) return [];
  return [
    ['reply-parent-display-name', reply.user.name],
    ['reply-parent-msg-body', reply.text],
    ['reply-parent-msg-id', reply.id],
    ['reply-parent-user-id', reply.user.id],
    ['reply-parent-user-login', loginOf(reply.user.name)],
    ['reply-thread-parent-display-name', reply.thread.user.name],
    ['reply-thread-parent-msg-id', reply.thread.id],
    ['reply-thread-parent-user-id', reply.thread.user.id],
    ['reply-thread-parent-user-login', loginOf(reply.thread.user.name)],
  ];
}

/** A user's own line: JOIN, PART (no tags). */
export function userLine(login: string, command: string, channel: string): string {
  return formatLine('', userPrefix(login), command, [channel]);
}

/** The same lines for a client that did not ask for twitch.tv/tags: each line's tag block removed. */
export function withoutTags(lines: string): string {
  return lines.replace(/^@[^ ]* /gm, '');
}

/** Sent on join and after each of the client's own lines. */
export function userstateLine(user: User, stream: string): string {
  return serverLine([...userTags(user), ['emote-sets', '0']], 'USERSTATE', ['#' + stream]);
}

export function globaluserstateLine(user: User): string {
  return serverLine([
    ['badge-info', ''],
    ['badges', ''],
    ['color', (user.color ?? '').toUpperCase()],
    ['display-name', user.name],
    ['emote-sets', '0'],
    ['user-id', user.id],
    ['user-type', ''],
  ], 'GLOBALUSERSTATE', []);
}

/** The modes Twitch's ROOMSTATE has a tag for; the others (chat delay, holding first lines, ordering across regions) have none. */
export type TwitchMode = 'emoteOnly' | 'knownForMinutes' | 'uniqueChatMinutes' | 'slowSeconds' | 'subscribersOnly';

const ROOM_TAGS: Record<TwitchMode, { tag: string; value: (modes: Modes) => string }> = {
  emoteOnly: { tag: 'emote-only', value: (m) => (m.emoteOnly ? '1' : '0') },
  knownForMinutes: { tag: 'followers-only', value: (m) => String(m.knownForMinutes) },
  uniqueChatMinutes: { tag: 'r9k', value: (m) => (m.uniqueChatMinutes > 0 ? '1' : '0') },
  slowSeconds: { tag: 'slow', value: (m) => String(m.slowSeconds) },
  subscribersOnly: { tag: 'subs-only', value: (m) => (m.subscribersOnly ? '1' : '0') },
};

/** Whether a change of this mode is announced over IRC (a ROOMSTATE tag exists for it). */
export function hasRoomTag(mode: keyof Modes): mode is TwitchMode {
  return Object.hasOwn(ROOM_TAGS, mode);
}

/** The whole room state, as on join. Followers-only is Chorus's "known for N minutes" (-1: off), r9k its unique chat. */
export function roomstateLine(stream: string, modes: Modes): string {
  const tags: Tags = Object.values(ROOM_TAGS).map(({ tag, value }) => [tag, value(modes)]);
  tags.push(['room-id', stream]);
  tags.sort(([a], [b]) => (a < b ? -1 : 1));
  return serverLine(tags, 'ROOMSTATE', ['#' + stream]);
}

/**
 * A change: one partial ROOMSTATE per changed mode, because tmi.js reads
 * `slow` and `followers-only` only from a ROOMSTATE that has no `subs-only`.
 * Only for modes with a tag (hasRoomTag).
 */
export function roomstateChangeLine(stream: string, mode: TwitchMode, modes: Modes): string {
  const room = ROOM_TAGS[mode];
  return serverLine([['room-id', stream], [room.tag, room.value(modes)]], 'ROOMSTATE', ['#' + stream]);
}

export function clearchatLine(stream: string, userId: string, login: string, seconds: number | undefined, now: number): string {
  const tags: Tags = seconds === undefined ? [] : [['ban-duration', String(seconds)]];
  tags.push(['room-id', stream], ['target-user-id', userId], ['tmi-sent-ts', String(now)]);
  return serverLine(tags, 'CLEARCHAT', ['#' + stream], login);
}

/** A moderator's /clear: CLEARCHAT without a user, every line of the room. */
export function clearchatAllLine(stream: string, now: number): string {
  return serverLine([['room-id', stream], ['tmi-sent-ts', String(now)]], 'CLEARCHAT', ['#' + stream]);
}

/** A deleted line; `message` is undefined when this gateway no longer has it (login and text are then empty). */
export function clearmsgLine(stream: string, id: string, message: Message | undefined, now: number): string {
  return serverLine([
    ['login', message === undefined ? '' : loginOf(message.user.name)],
    ['room-id', stream],
    ['target-msg-id', id],
    ['tmi-sent-ts', String(now)],
  ], 'CLEARMSG', ['#' + stream], message?.text ?? '');
}

export function noticeLine(target: string, msgId: string | undefined, text: string): string {
  return serverLine(msgId === undefined ? undefined : [['msg-id', msgId]], 'NOTICE', [target], text);
}
