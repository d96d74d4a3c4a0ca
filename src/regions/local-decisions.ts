import { randomUUID } from 'node:crypto';
import type { Bus } from '../bus/bus.ts';
import type { HeldStore } from '../held/held-store.ts';
import type { DurableLog } from '../log/log.ts';
import type { StateStore } from '../state/state.ts';
import { formatHlc, type Hlc, type HybridClock } from './hlc.ts';
import type { DecisionState } from './decision-state.ts';
import { encodeShared, MAX_IDS_PER_RECORD, modesSet, type DecisionChange, type SharedPin } from './shared-records.ts';

export interface LocalDecisionsOptions {
  clock: HybridClock;
  decisions: DecisionState;
  /** Writes one record to this region's decisions topic. */
  write: (stream: string, record: Buffer) => Promise<void>;
}

export interface ModerationSeams {
  state: StateStore;
  log: DurableLog;
  bus: Bus;
  held: HeldStore;
}

/**
 * Multi-region mode: the seams the rest of the server moderates through,
 * so every moderation decision made in this region (by a moderator, or the
 * classifier) also goes to its peers, with no change to those callers:
 * - state: a ban, timeout, unban, mode or rules change, a user's granted
 *   roles, a warning (or its acknowledgement), a restriction and a pin are stamped
 *   by this region's clock, applied under the conflict rule
 *   (decision-state.ts), and written to the decisions topic;
 * - bus: a `retract` announced here (a delete, the classifier's) is written
 *   with its ids and reason;
 * - log: the lines a ban or timeout retracts are written as their ids, so
 *   every region retracts the same lines;
 * - held: a line held here is written whole, and one a moderator here
 *   approves or denies as its id, so every region's moderators review one
 *   queue.
 * A call resolves once the decisions topic holds its record. What comes
 * from peers is applied to the seams beneath (remote-decisions.ts), so it
 * is never written again: a region's topic holds its own decisions only.
 */
export function withLocalDecisions(seams: ModerationSeams, o: LocalDecisionsOptions): ModerationSeams {
  const write = async (stream: string, change: DecisionChange, hlc: Hlc = o.clock.now()): Promise<void> => {
    await o.write(stream, encodeShared({ ...change, id: randomUUID(), origin: o.clock.region, hlc: formatHlc(hlc), stream }));
  };
  // A ban may retract more lines than one record carries.
  const writeIds = async (stream: string, ids: readonly string[], reason?: string): Promise<void> => {
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_RECORD) {
      const chunk = ids.slice(i, i + MAX_IDS_PER_RECORD);
      await write(stream, reason === undefined ? { k: 'retract', ids: chunk } : { k: 'retract', ids: chunk, reason });
    }
  };
  const { state, log, bus, held } = seams;
  return {
    state: overriding(state, {
      async setBan(stream, user, ban) {
        const hlc = o.clock.now();
        await o.decisions.banState(stream, user, ban.until, hlc);
        await write(stream, { k: 'ban', user, until: ban.until }, hlc);
      },
      async removeBan(stream, user) {
        const hlc = o.clock.now();
        const had = (await state.getBan(stream, user, Date.now())) !== null;
        await o.decisions.banState(stream, user, undefined, hlc);
        await write(stream, { k: 'unban', user }, hlc);
        return had;
      },
      async setModes(stream, change) {
        const hlc = o.clock.now();
        const modes = modesSet(change);
        await o.decisions.modes(stream, modes, hlc);
        await write(stream, { k: 'modes', modes }, hlc);
        return state.getModes(stream);
      },
      async setRules(stream, rules) {
        const hlc = o.clock.now();
        await o.decisions.rules(stream, rules, hlc);
        await write(stream, { k: 'rules', rules }, hlc);
      },
      async setGrant(stream, user, roles) {
        const hlc = o.clock.now();
        await o.decisions.grant(stream, user, roles, hlc);
        await write(stream, { k: 'grant', user, roles: [...roles] }, hlc);
      },
      async setWarning(stream, user, reason) {
        const hlc = o.clock.now();
        await o.decisions.warning(stream, user, reason, hlc);
        await write(stream, { k: 'warn', user, reason }, hlc);
      },
      async clearWarning(stream, user) {
        const hlc = o.clock.now();
        const had = (await state.getStanding(stream, user)).warning !== null;
        await o.decisions.warning(stream, user, null, hlc);
        await write(stream, { k: 'warn', user, reason: null }, hlc);
        return had;
      },
      async setPin(stream, pin) {
        const hlc = o.clock.now();
        await o.decisions.pin(stream, pin, hlc);
        // The line goes by id: each region pins its own copy of it (remote-pins.ts).
        const shared: SharedPin | null = pin === null ? null : { id: pin.message.id, by: pin.by, at: pin.at, ...(pin.until === undefined ? {} : { until: pin.until }) };
        await write(stream, { k: 'pin', pin: shared }, hlc);
      },
      async setRestricted(stream, user, restricted) {
        const hlc = o.clock.now();
        await o.decisions.restricted(stream, user, restricted, hlc);
        await write(stream, { k: 'restrict', user, restricted }, hlc);
      },
    }),
    log: overriding(log, {
      async retractUser(stream, user, bounds) {
        const ids = await log.retractUser(stream, user, bounds);
        await writeIds(stream, ids);
        return ids;
      },
    }),
    bus: overriding(bus, {
      async publish(stream, event) {
        await bus.publish(stream, event);
        // `unstored` lines never reached the log, so never a peer.
        if (event.kind === 'retract' && event.reason !== 'unstored') await writeIds(stream, event.ids, event.reason);
      },
    }),
    held: overriding(held, {
      async add(line) {
        const pushedOut = await held.add(line);
        await write(line.stream, { k: 'held', held: line });
        return pushedOut;
      },
      async take(stream, id, now, outcome) {
        const taken = await held.take(stream, id, now, outcome);
        if (taken !== undefined) await write(stream, { k: 'reviewed', heldId: id, outcome });
        return taken;
      },
    }),
  };
}

/**
 * `inner` with some methods replaced. The seams are classes with private
 * fields, so every other method is called on `inner` itself (bound once:
 * the state store's are on the send path).
 */
function overriding<T extends object>(inner: T, overrides: Partial<T>): T {
  const bound = new Map<string | symbol, unknown>();
  return new Proxy(inner, {
    get(target, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof T];
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (!bound.has(prop)) bound.set(prop, value.bind(target));
      return bound.get(prop);
    },
  });
}
