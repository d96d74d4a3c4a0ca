import type { Encoding, FrameContent, OutboundFrame } from '../../fanout/outbound-frame.ts';
import { wsTextFrame } from '../../net/ws-frame.ts';
import type { Message } from '../../protocol/types.ts';
import type { UserDirectory } from './user-directory.ts';
import { modeNotice } from './twitch-notices.ts';
import { clearchatAllLine, clearchatLine, clearmsgLine, hasRoomTag, loginOf, noticeLine, roomstateChangeLine, withoutTags } from './twitch-lines.ts';
import { chatLine, noticeUsernoticeLine } from './twitch-usernotices.ts';

/** The IRC forms of one hub frame: built by the first IRC client that needs a form, shared by the rest. */
export class IrcFrame {
  readonly #content: FrameContent;
  /** Chat lines only (PRIVMSG, and announcements among them); everything else, notices included, needs twitch.tv/commands. */
  readonly isChat: boolean;
  #tagged: string | undefined;
  #plain: string | undefined;
  readonly #bytes: Array<Buffer | undefined> = [undefined, undefined, undefined, undefined];
  #senders: Set<string> | undefined;

  readonly #directory: UserDirectory;

  constructor(content: FrameContent, directory: UserDirectory) {
    this.#content = content;
    this.#directory = directory;
    this.isChat = content.kind === 'msgs' || content.kind === 'restricted';
  }

  /** CRLF-terminated lines, '' when the frame means nothing over IRC (a viewer count). */
  text(tags: boolean): string {
    this.#tagged ??= encode(this.#content, this.#directory);
    return tags ? this.#tagged : (this.#plain ??= withoutTags(this.#tagged));
  }

  /** The bytes to write: a WebSocket text frame or the raw lines for TCP. */
  bytes(tags: boolean, websocket: boolean): Buffer {
    const slot = (tags ? 1 : 0) + (websocket ? 2 : 0);
    const text = this.text(tags);
    return (this.#bytes[slot] ??= websocket ? wsTextFrame(text) : Buffer.from(text, 'utf8'));
  }

  /** Whether a line of this user is in the frame: IRC never echoes a client's own line. */
  hasLineOf(userId: string): boolean {
    const lines = linesOf(this.#content);
    if (lines === undefined) return false;
    this.#senders ??= new Set(lines.map((m) => m.user.id));
    return this.#senders.has(userId);
  }

  /** A restricted line of this user's own: it may arrive before its send is answered, and IRC never echoes one's own line. */
  isOwnRestricted(userId: string): boolean {
    return this.#content.kind === 'restricted' && this.#content.message.user.id === userId;
  }

  /** The tagged lines without the given messages (the rare per-client path: a client's own lines in a shared frame). */
  textWithout(ids: ReadonlySet<string>): string {
    const lines = linesOf(this.#content);
    if (lines === undefined) return this.text(true);
    return lines.filter((m) => !ids.has(m.id)).map(chatLine).join('');
  }
}

/** The chat lines a frame carries: a flush's, or a restricted user's one line (seen by moderators as a PRIVMSG). */
function linesOf(content: FrameContent): readonly Message[] | undefined {
  if (content.kind === 'msgs') return content.messages;
  return content.kind === 'restricted' ? [content.message] : undefined;
}

function encode(content: FrameContent, directory: UserDirectory): string {
  const now = Date.now();
  const channel = '#' + content.stream;
  switch (content.kind) {
    case 'msgs':
      return content.messages.map(chatLine).join('');
    case 'restricted':
      return chatLine(content.message);
    case 'notice':
      return noticeUsernoticeLine(content.message, content.notice);
    case 'retract': {
      const known = new Map<string, Message>(content.known.map((m) => [m.id, m]));
      return content.ids.map((id) => clearmsgLine(content.stream, id, known.get(id), now)).join('');
    }
    case 'clear':
      // A user this gateway never saw has no known login: the id stands in for it.
      return clearchatLine(content.stream, content.user, content.name === undefined ? (directory.loginOf(content.user) ?? content.user) : loginOf(content.name), content.seconds, now);
    case 'clearAll':
      return clearchatAllLine(content.stream, now);
    case 'warned':
      return noticeLine(channel, 'msg_warned', `A moderator warned you: ${content.reason}. Send /acknowledge to chat again.`);
    case 'state': {
      let lines = '';
      for (const mode of content.changedModes) {
        if (!hasRoomTag(mode)) continue; // no Twitch room state for it (chat delay, held first lines, ordering): IRC clients need not know
        const notice = modeNotice(mode, content.state.modes);
        lines += noticeLine(channel, notice.msgId, notice.text) + roomstateChangeLine(content.stream, mode, content.state.modes);
      }
      return lines;
    }
    case 'held':
    case 'reviewed':
    case 'modlog':
      // The review queue and the audit log are the page's and the API's; IRC has no form for them.
      return '';
  }
}

/**
 * The IRC encoding of hub frames: one IrcFrame per hub frame, kept on the
 * frame as long as it lives. The first sight of a frame also teaches the user
 * directory the senders' logins.
 */
export class IrcFrames implements Encoding<OutboundFrame, IrcFrame> {
  readonly #directory: UserDirectory;

  constructor(directory: UserDirectory) {
    this.#directory = directory;
  }

  of(frame: OutboundFrame): IrcFrame {
    return frame.formIn(this);
  }

  encode(frame: OutboundFrame): IrcFrame {
    if (frame.content.kind === 'msgs') for (const m of frame.content.messages) this.#directory.note(m.user.name, m.user.id);
    if (frame.content.kind === 'restricted') this.#directory.note(frame.content.message.user.name, frame.content.message.user.id);
    if (frame.content.kind === 'notice') this.#directory.note(frame.content.message.user.name, frame.content.message.user.id);
    return new IrcFrame(frame.content, this.#directory);
  }
}
