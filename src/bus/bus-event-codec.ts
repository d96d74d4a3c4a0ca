import type { ModlogEntry } from '../protocol/modlog-entry.ts';
import type { Emote, Message, Role, StateChange, UserRef } from '../protocol/types.ts';
import type { BusEvent, HeldView, ReviewOutcome } from './bus.ts';

// A bus event on the wire between gateways: a JSON array whose first element
// is the kind, fields by position, optional ones last and left out when
// absent. No field names, and no stream (the channel names it), so a chat
// message costs its text plus a few dozen bytes. A reader that meets a kind
// it does not know (a newer gateway's) throws, and the bus reports it.
const MSG = 0;
const RETRACT = 1;
const CLEAR = 2;
const STATE = 3;
const HELD = 4;
const REVIEWED = 5;
const MODLOG = 6;
const RESTRICTED = 7;
const CLEAR_ALL = 8;
const WARNED = 9;

/**
 * What a line may carry besides chat (replies, announcements, notices; the
 * first-time, returning and reviewed marks), in one object: rare, so named
 * fields cost nothing per plain line. In `stamped`'s key order (broker.ts),
 * so a decoded line serialises like the original.
 */
const EXTRAS = ['reply', 'announcement', 'notice', 'first', 'returning', 'reviewed'] as const;
type Extras = Pick<Message, (typeof EXTRAS)[number]>;
type MsgTuple = [typeof MSG, string, number, number, string, string, Role[], string, (string | null)?, (Emote[] | null)?, (string | null)?, Extras?];
type Tuple =
  | MsgTuple
  | [typeof RETRACT, string[], string, [string, string]?]
  | [typeof CLEAR, string, 'ban' | 'timeout', number?]
  | [typeof STATE, StateChange]
  | [typeof HELD, HeldView]
  | [typeof REVIEWED, string, string, string, ReviewOutcome, number?]
  | [typeof MODLOG, ModlogEntry]
  | [typeof RESTRICTED, MsgTuple]
  | [typeof CLEAR_ALL]
  | [typeof WARNED, string, string];

export function encodeBusEvent(event: BusEvent): string {
  return JSON.stringify(toTuple(event));
}

export function decodeBusEvent(stream: string, payload: string): BusEvent {
  const tuple = JSON.parse(payload) as Tuple;
  switch (tuple[0]) {
    case MSG:
      return { kind: 'msg', message: toMessage(stream, tuple) };
    case RETRACT: {
      const by = tuple[3];
      return by === undefined ? { kind: 'retract', ids: tuple[1], reason: tuple[2] } : { kind: 'retract', ids: tuple[1], reason: tuple[2], by: { id: by[0], name: by[1] } };
    }
    case CLEAR:
      return tuple[3] === undefined ? { kind: 'clear', user: tuple[1], reason: tuple[2] } : { kind: 'clear', user: tuple[1], reason: tuple[2], seconds: tuple[3] };
    case STATE:
      return { kind: 'state', state: tuple[1] };
    case HELD:
      return { kind: 'held', held: tuple[1] };
    case REVIEWED: {
      const [, id, user, text, outcome, seq] = tuple;
      return seq === undefined ? { kind: 'reviewed', id, user, text, outcome } : { kind: 'reviewed', id, user, text, outcome, seq };
    }
    case MODLOG:
      return { kind: 'modlog', entry: tuple[1] };
    case RESTRICTED:
      return { kind: 'restricted', message: toMessage(stream, tuple[1]) };
    case CLEAR_ALL:
      return { kind: 'clearAll' };
    case WARNED:
      return { kind: 'warned', user: tuple[1], reason: tuple[2] };
    default:
      throw new Error(`unknown bus event kind ${String((tuple as unknown[])[0])}`);
  }
}

function toTuple(event: BusEvent): Tuple {
  switch (event.kind) {
    case 'msg':
      return msgTuple(event.message);
    case 'retract':
      return event.by === undefined ? [RETRACT, event.ids, event.reason] : [RETRACT, event.ids, event.reason, refTuple(event.by)];
    case 'clear':
      return event.seconds === undefined ? [CLEAR, event.user, event.reason] : [CLEAR, event.user, event.reason, event.seconds];
    case 'state':
      return [STATE, event.state];
    case 'held':
      return [HELD, event.held];
    case 'reviewed':
      return event.seq === undefined ? [REVIEWED, event.id, event.user, event.text, event.outcome] : [REVIEWED, event.id, event.user, event.text, event.outcome, event.seq];
    case 'modlog':
      return [MODLOG, event.entry];
    case 'restricted':
      return [RESTRICTED, msgTuple(event.message)];
    case 'clearAll':
      return [CLEAR_ALL];
    case 'warned':
      return [WARNED, event.user, event.reason];
  }
}

function refTuple(user: UserRef): [string, string] {
  return [user.id, user.name];
}

function msgTuple(m: Message): MsgTuple {
  const tuple: MsgTuple = [MSG, m.id, m.seq, m.ts, m.user.id, m.user.name, m.user.badges, m.text];
  // Optional fields by position: a later one present puts null in the absent ones before it.
  const extras = extrasOf(m);
  if (extras !== undefined) tuple.push(m.user.color ?? null, m.emotes ?? null, m.origin ?? null, extras);
  else if (m.origin !== undefined) tuple.push(m.user.color ?? null, m.emotes ?? null, m.origin);
  else if (m.emotes !== undefined) tuple.push(m.user.color ?? null, m.emotes);
  else if (m.user.color !== undefined) tuple.push(m.user.color);
  return tuple;
}

function extrasOf(m: Message): Extras | undefined {
  if (!EXTRAS.some((key) => m[key] !== undefined)) return undefined;
  const extras: Extras = {};
  copyExtras(m, extras);
  return extras;
}

/** The extras `from` has, onto `to`, in EXTRAS order. */
function copyExtras(from: Extras, to: Extras): void {
  for (const key of EXTRAS) if (from[key] !== undefined) (to as Record<string, unknown>)[key] = from[key];
}

/**
 * A message's `msg` payload in two parts around its seq, for a publisher
 * that learns the seq only where it publishes (a Redis script joins
 * `before + seq + after`, which equals encodeBusEvent of the stamped message).
 */
export function splitAroundSeq(message: Omit<Message, 'seq'>): [before: string, after: string] {
  const rest = JSON.stringify(msgTuple({ ...message, seq: 0 }).slice(3));
  return [`[${MSG},${JSON.stringify(message.id)},`, `,${rest.slice(1)}`];
}

function toMessage(stream: string, [, id, seq, ts, userId, name, badges, text, color, emotes, origin, extras]: MsgTuple): Message {
  const user = color === undefined || color === null ? { id: userId, name, badges } : { id: userId, name, color, badges };
  const message: Message = { id, stream, seq, ts, user, text };
  if (emotes !== undefined && emotes !== null) message.emotes = emotes;
  if (extras !== undefined) copyExtras(extras, message);
  if (origin !== undefined && origin !== null) message.origin = origin;
  return message;
}
