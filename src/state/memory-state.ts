import { DEFAULT_MODES, DEFAULT_RULES, changedModes, type GrantableRole, type Modes, type Pin, type Role, type StreamRules } from '../protocol/types.ts';
import { copyImages, EMPTY_IMAGES, type StreamImages } from '../protocol/stream-images.ts';
import { SendWindows } from './send-windows.ts';
import type { StatePersistence } from './state-persistence.ts';
import { TokenRoleRecords } from './token-role-records.ts';
import { LineRecords } from './line-records.ts';
import { Standings } from './standings.ts';
import { GrantLimitError, MAX_GRANTS_PER_STREAM, type Ban, type SendCheck, type SendVerdict, type Sighting, type Standing, type StateStore, type TokenRolesRecord } from './state.ts';

export interface MemoryStateOptions {
  /** Keeps modes, rules, bans, grants, warnings and restrictions across restarts; MemoryState owns it and closes it. */
  persistence?: StatePersistence;
}

/**
 * The embedded shared state: everything in this process's memory, with
 * moderator decisions (modes, rules, bans) written through to persistence
 * before they take effect, and loaded from it at construction.
 */
export class MemoryState implements StateStore {
  readonly #persistence: StatePersistence | undefined;
  readonly #windows = new SendWindows();
  readonly #modes: Map<string, Modes>;
  readonly #rules: Map<string, StreamRules>;
  readonly #images: Map<string, StreamImages>;
  /** stream -> user id -> ban; grows only by moderator action. */
  readonly #bans: Map<string, Map<string, Ban>>;
  /** stream -> user id -> granted roles; bounded per stream. */
  readonly #grants: Map<string, Map<string, GrantableRole[]>>;
  readonly #tokenRoles = new TokenRoleRecords();
  readonly #lines = new LineRecords();
  readonly #standings: Standings;
  /** One pin per stream at most, set only by moderators; not persisted (a restart unpins). */
  readonly #pins = new Map<string, Pin>();
  #closed = false;

  constructor(options: MemoryStateOptions = {}) {
    this.#persistence = options.persistence;
    const loaded = this.#persistence?.load(Date.now());
    this.#modes = loaded?.modes ?? new Map();
    this.#rules = loaded?.rules ?? new Map();
    this.#images = loaded?.images ?? new Map();
    this.#bans = loaded?.bans ?? new Map();
    this.#grants = loaded?.grants ?? new Map();
    this.#standings = new Standings(loaded?.standings, (stream, userId, standing) => this.#persistence?.saveStanding(stream, userId, standing));
  }

  async checkSend(check: SendCheck): Promise<SendVerdict> {
    const ban = this.#activeBan(check.stream, check.userId, check.now);
    if (ban !== null) return ban.until === null ? { ok: false, code: 'banned' } : { ok: false, code: 'timed_out', retryAfterMs: ban.until - check.now };
    const standing = this.#standings.of(check.stream, check.userId);
    if (standing.warning !== null) return { ok: false, code: 'warned', reason: standing.warning };
    const verdict = this.#windows.check(check);
    if (!verdict.ok) return verdict;
    const restricted = standing.restricted ? { restricted: true as const } : {};
    if (check.line === undefined) return { ok: true, ...restricted };
    const line = this.#lines.check({ ...check.line, stream: check.stream, userId: check.userId, now: check.now });
    return line.ok ? { ok: true, first: line.first, returning: line.returning, ...restricted } : line;
  }

  async getStanding(stream: string, userId: string): Promise<Standing> {
    return this.#standings.of(stream, userId);
  }

  async setWarning(stream: string, userId: string, reason: string): Promise<void> {
    this.#standings.change(stream, userId, { warning: reason });
  }

  async clearWarning(stream: string, userId: string): Promise<boolean> {
    return this.#standings.change(stream, userId, { warning: null }).warning !== null;
  }

  async setRestricted(stream: string, userId: string, restricted: boolean): Promise<void> {
    this.#standings.change(stream, userId, { restricted });
  }

  async firstSeen(stream: string, userId: string, now: number): Promise<number | null> {
    return this.#lines.firstSeen(stream, userId, now);
  }

  async noteSighting(sighting: Sighting): Promise<void> {
    this.#lines.note(sighting);
  }

  async getPin(stream: string, now: number): Promise<Pin | null> {
    const pin = this.#pins.get(stream);
    if (pin === undefined) return null;
    if (pin.until !== undefined && pin.until <= now) {
      this.#pins.delete(stream);
      return null;
    }
    return pin;
  }

  async setPin(stream: string, pin: Pin | null): Promise<void> {
    if (pin === null) this.#pins.delete(stream);
    else this.#pins.set(stream, pin);
  }

  async getModes(stream: string): Promise<Modes> {
    return { ...(this.#modes.get(stream) ?? DEFAULT_MODES) };
  }

  async setModes(stream: string, change: Partial<Modes>): Promise<Modes> {
    const current = this.#modes.get(stream) ?? DEFAULT_MODES;
    const modes = changedModes(current, change);
    this.#persistence?.saveModes(stream, modes);
    this.#modes.set(stream, modes);
    return { ...modes };
  }

  async getGrants(stream: string): Promise<Map<string, GrantableRole[]>> {
    return new Map([...(this.#grants.get(stream) ?? [])].map(([user, roles]) => [user, [...roles]]));
  }

  async setGrant(stream: string, userId: string, roles: GrantableRole[]): Promise<void> {
    let users = this.#grants.get(stream);
    if (roles.length > 0 && !users?.has(userId) && (users?.size ?? 0) >= MAX_GRANTS_PER_STREAM) {
      throw new GrantLimitError(`a stream may grant roles to at most ${MAX_GRANTS_PER_STREAM} users`);
    }
    this.#persistence?.saveGrant(stream, userId, roles);
    if (roles.length === 0) {
      users?.delete(userId);
      if (users?.size === 0) this.#grants.delete(stream);
      return;
    }
    if (users === undefined) this.#grants.set(stream, (users = new Map()));
    users.set(userId, [...roles]);
  }

  async recordTokenRoles(record: TokenRolesRecord): Promise<void> {
    this.#tokenRoles.record(record);
  }

  async getTokenRoles(stream: string, userId: string, now: number): Promise<Role[]> {
    return this.#tokenRoles.get(stream, userId, now);
  }

  async getRules(stream: string): Promise<StreamRules> {
    return copyRules(this.#rules.get(stream) ?? DEFAULT_RULES);
  }

  async setRules(stream: string, rules: StreamRules): Promise<void> {
    const stored = copyRules(rules);
    this.#persistence?.saveRules(stream, stored);
    this.#rules.set(stream, stored);
  }

  async getImages(stream: string): Promise<StreamImages> {
    return copyImages(this.#images.get(stream) ?? EMPTY_IMAGES);
  }

  async setImages(stream: string, images: StreamImages): Promise<void> {
    const stored = copyImages(images);
    this.#persistence?.saveImages(stream, stored);
    this.#images.set(stream, stored);
  }

  async getBan(stream: string, userId: string, now: number): Promise<Ban | null> {
    const ban = this.#activeBan(stream, userId, now);
    return ban === null ? null : { until: ban.until };
  }

  async setBan(stream: string, userId: string, ban: Ban): Promise<void> {
    this.#persistence?.saveBan(stream, userId, { until: ban.until });
    let users = this.#bans.get(stream);
    if (users === undefined) this.#bans.set(stream, (users = new Map()));
    users.set(userId, { until: ban.until });
  }

  async removeBan(stream: string, userId: string): Promise<boolean> {
    const existed = this.#bans.get(stream)?.has(userId) ?? false;
    this.#persistence?.deleteBan(stream, userId);
    this.#forgetBan(stream, userId);
    return existed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#persistence?.close();
  }

  /**
   * The ban in force at `now`. An ended timeout is dropped from memory here;
   * its stored row goes at the next load, which keeps I/O off the send path.
   */
  #activeBan(stream: string, userId: string, now: number): Ban | null {
    const ban = this.#bans.get(stream)?.get(userId);
    if (ban === undefined) return null;
    if (ban.until !== null && ban.until <= now) {
      this.#forgetBan(stream, userId);
      return null;
    }
    return ban;
  }

  #forgetBan(stream: string, userId: string): void {
    const users = this.#bans.get(stream);
    if (users === undefined) return;
    users.delete(userId);
    if (users.size === 0) this.#bans.delete(stream);
  }
}

function copyRules(rules: StreamRules): StreamRules {
  return { blockedTerms: [...rules.blockedTerms], blockLinks: rules.blockLinks, emotes: [...rules.emotes] };
}
