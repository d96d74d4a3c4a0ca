// Twitch's moderator chat commands (`PRIVMSG #room :/ban alice`), as tmi.js
// sends them for client.ban(), timeout(), deletemessage(), slow() and the
// rest, run through the same ModeratorActions as v1 `mod` frames. Each answers
// the issuer with the NOTICE msg-id tmi.js resolves or rejects its promise on.
import type { Identity } from '../../auth/identity.ts';
import { MODLOG_TEXT_MAX } from '../../protocol/modlog-entry.ts';
import type { ModeratorActions } from '../../chat/moderator-actions.ts';
import type { ChatService } from '../../chat/chat-service.ts';
import { HierarchyRefusal } from '../../chat/moderation-hierarchy.ts';
import type { BrokerHistory } from '../../broker/broker.ts';
import { MAX_GRANTS_PER_STREAM, type StateStore } from '../../state/state.ts';
import { MAX_SLOW_SECONDS, MAX_TIMEOUT_SECONDS, type ModAction } from '../../protocol/client-frames.ts';
import { MAX_WARN_REASON_LENGTH } from '../../protocol/schemas.ts';
import { ChatError } from '../../protocol/errors.ts';
import { ANNOUNCEMENT_COLORS, type AnnouncementColor, type GrantableRole, type Modes } from '../../protocol/types.ts';
import { noticeLine, roomstateChangeLine } from './twitch-lines.ts';
import type { UserDirectory } from './user-directory.ts';
import { parseSpamModeCommand } from './spam-mode-commands.ts';

export interface ChatCommandDeps {
  moderation: ModeratorActions;
  /** /announce sends a line like any other, through the send checks. */
  chat: ChatService;
  state: StateStore;
  history: BrokerHistory;
  directory: UserDirectory;
}

/** How far back in a stream's log a login is looked for when the directory does not know it. */
const LOOKUP_MESSAGES = 1_000;
const DEFAULT_TIMEOUT_SECONDS = 600;
const DEFAULT_SLOW_SECONDS = 30;
const LOGIN = /^@?([A-Za-z0-9_]{1,25})$/;

type Toggle = { mode: 'subscribersOnly' | 'emoteOnly'; on: boolean; already: string };
// Looked up by the command a client typed: a Map, so `/constructor` is just an unknown command.
const TOGGLES: ReadonlyMap<string, Toggle> = new Map([
  ['subscribers', { mode: 'subscribersOnly', on: true, already: 'already_subs_on' }],
  ['subscribersoff', { mode: 'subscribersOnly', on: false, already: 'already_subs_off' }],
  ['emoteonly', { mode: 'emoteOnly', on: true, already: 'already_emote_only_on' }],
  ['emoteonlyoff', { mode: 'emoteOnly', on: false, already: 'already_emote_only_off' }],
]);

// /mod, /unmod, /vip, /unvip: roles granted on the server (only the broadcaster
// may). Each outcome has the msg-id tmi.js resolves or rejects client.mod() and
// the rest on; `banned` and `full` happen to grants only. Twitch has no limit on
// moderators, so a full stream answers /mod with usage_mod, which tmi.js rejects on.
interface RoleCommand {
  role: GrantableRole;
  granting: boolean;
  title: string;
  unchanged: string;
  banned?: string;
  full?: string;
}
const ROLE_COMMANDS: Record<string, RoleCommand> = {
  mod: { role: 'moderator', granting: true, title: 'moderator', unchanged: 'bad_mod_mod', banned: 'bad_mod_banned', full: 'usage_mod' },
  unmod: { role: 'moderator', granting: false, title: 'moderator', unchanged: 'bad_unmod_mod' },
  vip: { role: 'vip', granting: true, title: 'VIP', unchanged: 'bad_vip_grantee_already_vip', banned: 'bad_vip_grantee_banned', full: 'bad_vip_max_vips_reached' },
  unvip: { role: 'vip', granting: false, title: 'VIP', unchanged: 'bad_unvip_grantee_not_vip' },
};

/** What /warn, /restrict and /unrestrict answer on success (Chorus's msg-ids: Twitch has no IRC form of them). */
const STANDING_DONE: Record<'warn' | 'restrict' | 'unrestrict', (login: string) => string> = {
  warn: (login) => `${login} has been warned; their messages are refused until they acknowledge.`,
  restrict: (login) => `${login} is now restricted: their messages reach only themselves and moderators.`,
  unrestrict: (login) => `${login} is no longer restricted.`,
};

/** /announce and /announceblue, /announcegreen...: the colour a command names ('primary' for plain /announce). */
function announcementColor(command: string): AnnouncementColor | undefined {
  if (!command.startsWith('announce')) return undefined;
  const color = command.slice('announce'.length) || 'primary';
  return (ANNOUNCEMENT_COLORS as readonly string[]).includes(color) ? (color as AnnouncementColor) : undefined;
}

/** Twitch's msg-ids for acting on the broadcaster or a moderator (bad_ban_mod, bad_delete_message_broadcaster...), which tmi.js rejects on. */
function hierarchyMsgId(refusal: HierarchyRefusal): string {
  const verb = refusal.action === 'delete' ? 'delete_message' : refusal.action;
  return `bad_${verb}_${refusal.target === 'moderator' ? 'mod' : 'broadcaster'}`;
}

export class ChatCommands {
  readonly #d: ChatCommandDeps;

  constructor(deps: ChatCommandDeps) {
    this.#d = deps;
  }

  /** Runs `/name args...` in `stream`; resolves with the lines for the issuer (CRLF-terminated). */
  async run(identity: Identity | null, stream: string, name: string, args: string[]): Promise<string> {
    const channel = '#' + stream;
    const reply = (msgId: string, text: string): string => noticeLine(channel, msgId, text);
    try {
      switch (name) {
        case 'ban':
        case 'timeout': {
          const timeout = name === 'timeout';
          const login = LOGIN.exec(args[0] ?? '')?.[1];
          if (login === undefined) return reply(`usage_${name}`, `Usage: "/${name} <username>${timeout ? ' [duration]' : ''} [reason]"`);
          let seconds = DEFAULT_TIMEOUT_SECONDS;
          if (timeout && args[1] !== undefined) {
            seconds = Number(args[1]);
            if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
              return reply('bad_timeout_duration', `The duration must be 1 to ${MAX_TIMEOUT_SECONDS} seconds.`);
            }
          }
          const user = await this.#userId(identity, stream, login);
          if (user === undefined) return reply('invalid_user', `Invalid username: ${login}`);
          if (user === identity?.id) return reply(timeout ? 'bad_timeout_self' : 'bad_ban_self', `You cannot ${name} yourself.`);
          // The rest of the line is the reason, kept in the audit log (bounded there, as Twitch bounds it).
          const reason = args.slice(timeout && args[1] !== undefined ? 2 : 1).join(' ').slice(0, MODLOG_TEXT_MAX);
          const why = reason === '' ? {} : { reason };
          await this.#apply(identity, stream, timeout ? { action: 'timeout', user, seconds, ...why } : { action: 'ban', user, ...why });
          return timeout
            ? reply('timeout_success', `${login} has been timed out for ${seconds} seconds.`)
            : reply('ban_success', `${login} is now banned from this channel.`);
        }
        case 'unban':
        case 'untimeout': {
          const login = LOGIN.exec(args[0] ?? '')?.[1];
          if (login === undefined) return reply(`usage_${name}`, `Usage: "/${name} <username>"`);
          const user = await this.#userId(identity, stream, login);
          if (user === undefined) return reply('invalid_user', `Invalid username: ${login}`);
          await this.#apply(identity, stream, { action: 'unban', user });
          return name === 'unban'
            ? reply('unban_success', `${login} is no longer banned from this chat room.`)
            : reply('untimeout_success', `${login} is no longer timed out in this channel.`);
        }
        case 'warn':
        case 'restrict':
        case 'unrestrict': {
          const login = LOGIN.exec(args[0] ?? '')?.[1];
          const reason = args.slice(1).join(' ');
          const badReason = name === 'warn' && (reason === '' || reason.length > MAX_WARN_REASON_LENGTH);
          if (login === undefined || badReason) return reply(`usage_${name}`, `Usage: "/${name} <username>${name === 'warn' ? ` <reason, up to ${MAX_WARN_REASON_LENGTH} characters>` : ''}"`);
          const user = await this.#userId(identity, stream, login);
          if (user === undefined) return reply('invalid_user', `Invalid username: ${login}`);
          await this.#apply(identity, stream, name === 'warn' ? { action: 'warn', user, reason } : { action: name, user });
          return reply(`${name}_success`, STANDING_DONE[name](login));
        }
        case 'clear':
          // Everyone in the room, the issuer included, receives the CLEARCHAT, which tmi.js resolves clear() on.
          await this.#apply(identity, stream, { action: 'clear' });
          return '';
        case 'acknowledge':
          // The warned user's own answer to a warning (any user, not only moderators).
          await this.#d.chat.acknowledgeWarning(identity, stream);
          return reply('acknowledge_success', 'You acknowledged the warning and may chat again.');
        case 'delete': {
          const id = args[0];
          if (id === undefined || id.length > 64) return reply('usage_delete', 'Usage: "/delete <msg id>"');
          await this.#apply(identity, stream, { action: 'delete', id });
          return reply('delete_message_success', 'The message has been deleted.');
        }
        case 'slow':
        case 'slowoff': {
          const seconds = name === 'slowoff' ? 0 : Number(args[0] ?? DEFAULT_SLOW_SECONDS);
          if (!Number.isInteger(seconds) || (name === 'slow' && seconds < 1) || seconds > MAX_SLOW_SECONDS) {
            return reply('usage_slow_on', `Usage: "/slow [1-${MAX_SLOW_SECONDS}]"`);
          }
          // tmi.js resolves slow() and slowoff() on the ROOMSTATE, so an unchanged mode is answered with one.
          return await this.#setMode(identity, stream, 'slowSeconds', seconds, (modes) => roomstateChangeLine(stream, 'slowSeconds', modes));
        }
        case 'mod':
        case 'unmod':
        case 'vip':
        case 'unvip': {
          const login = LOGIN.exec(args[0] ?? '')?.[1];
          if (login === undefined) return reply(`usage_${name}`, `Usage: "/${name} <username>"`);
          const user = await this.#userId(identity, stream, login);
          if (user === undefined) return reply('invalid_user', `Invalid username: ${login}`);
          const command = ROLE_COMMANDS[name]!;
          const { granting, title } = command;
          switch (await this.#d.moderation.changeRole(identity, stream, user, command.role, granting)) {
            case 'changed':
              return reply(`${name}_success`, `You have ${granting ? 'added' : 'removed'} ${login} as a ${title} of this channel.`);
            case 'unchanged':
              return reply(command.unchanged, `${login} is ${granting ? 'already' : 'not'} a ${title} of this channel.`);
            case 'banned':
              return reply(command.banned ?? `usage_${name}`, `${login} is banned from this channel. Unban them before making them a ${title}.`);
            case 'full':
              return reply(command.full ?? `usage_${name}`, `This channel has roles granted to ${MAX_GRANTS_PER_STREAM} users already; remove some first.`);
          }
        }
        default: {
          const spamMode = parseSpamModeCommand(name, args);
          if (spamMode !== undefined && 'usage' in spamMode) return reply(spamMode.usage, `Usage: "/${name} [duration, up to 3 months]"`);
          if (spamMode !== undefined) return await this.#setMode(identity, stream, spamMode.mode, spamMode.value, (modes) => spamMode.unchanged(stream, modes), spamMode.isUnchanged);
          const color = announcementColor(name);
          if (color !== undefined) {
            if (args.length === 0) return reply('usage_announce', `Usage: "/${name} <message>"`);
            // Everyone in the room, the issuer included, receives the USERNOTICE; the issuer needs no other answer.
            await this.#d.chat.send(identity, stream, args.join(' '), { announce: color });
            return '';
          }
          const toggle = TOGGLES.get(name);
          if (toggle === undefined) return reply('unrecognized_cmd', `Unrecognized command: /${name}`);
          return await this.#setMode(identity, stream, toggle.mode, toggle.on, () => reply(toggle.already, `This room is already ${toggle.on ? 'in' : 'not in'} that mode.`));
        }
      }
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      if (err instanceof HierarchyRefusal && err.action !== 'unban') return reply(hierarchyMsgId(err), err.message);
      switch (err.code) {
        case 'unauthorized':
        case 'forbidden':
          return reply('no_permission', "You don't have permission to perform that action.");
        case 'rate_limited':
          return reply('msg_ratelimit', err.message);
        case 'invalid':
          return name === 'delete' ? reply('bad_delete_message_error', 'The message you are trying to delete does not exist.') : reply('usage_' + name, err.message);
        default:
          return reply('msg_unavailable', err.message);
      }
    }
  }

  /**
   * Changes one mode. A change reaches everyone (issuer included) as a NOTICE
   * and a ROOMSTATE through the stream hub; when the mode already has that
   * value nothing is broadcast, so the issuer is answered here.
   */
  async #setMode<K extends keyof Modes>(identity: Identity | null, stream: string, mode: K, value: Modes[K], unchanged: (modes: Modes) => string, isUnchanged = (modes: Modes) => modes[mode] === value): Promise<string> {
    await this.#d.moderation.authorize(identity, stream);
    const current = await this.#d.state.getModes(stream);
    if (isUnchanged(current)) return unchanged(current);
    await this.#apply(identity, stream, { action: 'modes', modes: { [mode]: value } });
    return '';
  }

  #apply(identity: Identity | null, stream: string, action: ModAction): Promise<void> {
    return this.#d.moderation.apply(identity, stream, action);
  }

  /** A login to a user id: the directory, else the stream's recent lines. Only moderators may ask. */
  async #userId(identity: Identity | null, stream: string, login: string): Promise<string | undefined> {
    await this.#d.moderation.authorize(identity, stream);
    const known = this.#d.directory.idOf(login);
    if (known !== undefined) return known;
    const lower = login.toLowerCase();
    const { messages } = await this.#d.history.latest(stream, LOOKUP_MESSAGES);
    for (let i = messages.length - 1; i >= 0; i--) {
      const user = messages[i]!.user;
      if (user.name.toLowerCase() === lower) return user.id;
    }
    return undefined;
  }
}
