import { userLine } from './twitch-lines.ts';

// The room size above which IRC stops announcing JOIN/PART (Twitch's).
const MAX_ANNOUNCED = 1_000;

/** A session as room membership sees it. */
export interface Member {
  readonly login: string;
  /** Asked for twitch.tv/membership. */
  readonly wantsMembership: boolean;
  write(text: string): void;
}

/**
 * Who is in which stream over IRC on this gateway, for the JOIN and PART of
 * other users that twitch.tv/membership clients get. As on Twitch, only small
 * rooms announce them; anonymous (justinfan) logins are never announced.
 */
export class IrcRooms {
  readonly #rooms = new Map<string, Set<Member>>();
  readonly #viewersOf: (stream: string) => number;
  readonly #maxAnnounced: number;

  constructor(viewersOf: (stream: string) => number, maxAnnounced = MAX_ANNOUNCED) {
    this.#viewersOf = viewersOf;
    this.#maxAnnounced = maxAnnounced;
  }

  enter(stream: string, member: Member, announce: boolean): void {
    let room = this.#rooms.get(stream);
    if (room === undefined) this.#rooms.set(stream, (room = new Set()));
    if (announce) this.#announce(stream, room, member, 'JOIN');
    room.add(member);
  }

  leave(stream: string, member: Member, announce: boolean): void {
    const room = this.#rooms.get(stream);
    if (room === undefined || !room.delete(member)) return;
    if (room.size === 0) this.#rooms.delete(stream);
    else if (announce) this.#announce(stream, room, member, 'PART');
  }

  #announce(stream: string, room: ReadonlySet<Member>, member: Member, command: 'JOIN' | 'PART'): void {
    if (this.#viewersOf(stream) > this.#maxAnnounced) return;
    const line = userLine(member.login, command, '#' + stream);
    for (const other of room) if (other !== member && other.wantsMembership) other.write(line);
  }
}
