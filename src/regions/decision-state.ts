import type { GrantableRole, Modes, Pin, StreamRules } from '../protocol/types.ts';
import { userPart } from '../redis/stream-keys.ts';
import type { StateStore } from '../state/state.ts';
import type { Hlc } from './hlc.ts';
import { decide, type LwwRegisters } from './lww-registers.ts';

type Store = Pick<StateStore, 'setBan' | 'removeBan' | 'setModes' | 'setRules' | 'setGrant' | 'setWarning' | 'clearWarning' | 'setRestricted' | 'setPin'>;

/**
 * Moderation state changes under the conflict rule, whether decided in this
 * region or arriving from a peer: each goes through its register
 * (lww-registers.ts) and reaches the state store only if it holds. "The
 * same thing": a user's ban state (ban, timeout and unban share one
 * register), each mode on its own, the rules whole, a user's granted roles
 * (whole), warning (given or acknowledged) and restriction, the stream's
 * pin (a pin or an unpin, each region's with its own copy of the line). Each method
 * returns whether the decision held.
 */
export class DecisionState {
  readonly #state: Store;
  readonly #registers: LwwRegisters;
  readonly #now: () => number;

  constructor(state: Store, registers: LwwRegisters, now: () => number = Date.now) {
    this.#state = state;
    this.#registers = registers;
    this.#now = now;
  }

  /** A ban (`until` null) or a timeout (until then); `undefined` is an unban. */
  banState(stream: string, user: string, until: number | null | undefined, hlc: Hlc): Promise<boolean> {
    const value = JSON.stringify(until === undefined ? { unbanned: true } : { until });
    return decide(this.#registers, this.#userKey(stream, 'ban', user), hlc, value, async (held) => {
      const ban = JSON.parse(held) as { until?: number | null };
      // A timeout that has run out by the time it arrives is no ban at all.
      if (ban.until === undefined || (ban.until !== null && ban.until <= this.#now())) await this.#state.removeBan(stream, user);
      else await this.#state.setBan(stream, user, { until: ban.until });
    });
  }

  /** Each mode of the change on its own; true if any held. */
  async modes(stream: string, change: Partial<Modes>, hlc: Hlc): Promise<boolean> {
    let any = false;
    for (const [mode, value] of Object.entries(change) as Array<[keyof Modes, Modes[keyof Modes]]>) {
      if (value === undefined) continue;
      const held = await decide(this.#registers, this.#registers.key(stream, `mode:${mode}`), hlc, JSON.stringify(value), async (v) => {
        await this.#state.setModes(stream, { [mode]: JSON.parse(v) as unknown } as Partial<Modes>);
      });
      any ||= held;
    }
    return any;
  }

  /** The user's granted roles, whole (an empty list revokes them all). */
  grant(stream: string, user: string, roles: readonly GrantableRole[], hlc: Hlc): Promise<boolean> {
    return decide(this.#registers, this.#userKey(stream, 'grant', user), hlc, JSON.stringify(roles), (v) => this.#state.setGrant(stream, user, JSON.parse(v) as GrantableRole[]));
  }

  /** A warning (its reason) or, with null, its acknowledgement. */
  warning(stream: string, user: string, reason: string | null, hlc: Hlc): Promise<boolean> {
    return decide(this.#registers, this.#userKey(stream, 'warn', user), hlc, JSON.stringify(reason), async (v) => {
      const held = JSON.parse(v) as string | null;
      if (held === null) await this.#state.clearWarning(stream, user);
      else await this.#state.setWarning(stream, user, held);
    });
  }

  restricted(stream: string, user: string, restricted: boolean, hlc: Hlc): Promise<boolean> {
    return decide(this.#registers, this.#userKey(stream, 'restrict', user), hlc, JSON.stringify(restricted), (v) => this.#state.setRestricted(stream, user, JSON.parse(v) as boolean));
  }

  /** The stream's pin (the region's own copy of the line), or null: unpinned. */
  pin(stream: string, pin: Pin | null, hlc: Hlc): Promise<boolean> {
    return decide(this.#registers, this.#registers.key(stream, 'pin'), hlc, JSON.stringify(pin), (v) => this.#state.setPin(stream, JSON.parse(v) as Pin | null));
  }

  #userKey(stream: string, thing: string, user: string): string {
    return this.#registers.key(stream, `${thing}:${userPart(user)}`);
  }

  rules(stream: string, rules: StreamRules, hlc: Hlc): Promise<boolean> {
    return decide(this.#registers, this.#registers.key(stream, 'rules'), hlc, JSON.stringify(rules), (v) => this.#state.setRules(stream, JSON.parse(v) as StreamRules));
  }
}
