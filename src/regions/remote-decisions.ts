import type { Bus, ReviewOutcome } from '../bus/bus.ts';
import type { HeldMessage, HeldStore } from '../held/held-store.ts';
import { heldView, reviewedEvent } from '../held/held-view.ts';
import type { StateStore } from '../state/state.ts';
import type { DecisionState } from './decision-state.ts';
import { parseHlc, type HybridClock } from './hlc.ts';
import type { RemotePins } from './remote-pins.ts';
import type { RemoteRetractions } from './remote-retractions.ts';
import type { Decision } from './shared-records.ts';
import { SeenIds } from './seen-ids.ts';

export interface RemoteDecisionsOptions {
  /** The seams beneath this region's own decisions (local-decisions.ts): what is applied here is never written again. */
  state: Pick<StateStore, 'getModes'>;
  bus: Pick<Bus, 'publish'>;
  held: Pick<HeldStore, 'add' | 'take'>;
  /** heldMessageTtlMs: what a peer's held line shows as its expiry here. */
  heldTtlMs: number;
  decisions: DecisionState;
  retractions: RemoteRetractions;
  pins: Pick<RemotePins, 'apply'>;
  /** This region's clock observes each decision's stamp, so a later decision here orders after it. */
  clock: HybridClock;
  now?: () => number;
}

// A decision arriving twice (MirrorMaker 2 redelivers, a group rebalance hands a batch again) is skipped here;
// applied again it would change nothing (its stamp no longer wins), but a retraction would be announced twice.
const SEEN_CAPACITY = 100_000;

/**
 * A peer's moderation decisions applied in this region: bans, timeouts and
 * unbans, modes, rules, granted roles, warnings and restrictions under the
 * conflict rule, each told to this region's viewers as a local one is
 * (`clear`, `state`, `warning`) when it holds; pins, with this region's
 * copy of the line (remote-pins.ts);
 * retractions of lines, including those not here yet (remote-retractions.ts);
 * held lines, shown to this region's moderators, and their reviews, which
 * take them out of this region's queue.
 * Only the peer's own decisions are taken (`origin` = the peer).
 */
export class RemoteDecisions {
  readonly #o: Required<RemoteDecisionsOptions>;
  readonly #seen = new SeenIds(SEEN_CAPACITY);

  constructor(options: RemoteDecisionsOptions) {
    this.#o = { now: Date.now, ...options };
  }

  /** One peer's batch, in its order; a failure fails the batch, which comes again (what was applied is skipped). */
  async take(peer: string, decisions: readonly Decision[]): Promise<void> {
    for (const decision of decisions) {
      if (decision.origin !== peer || !this.#seen.firstTime(decision.id)) continue;
      try {
        await this.#apply(decision);
      } catch (err) {
        this.#seen.forget(decision.id);
        throw err;
      }
    }
  }

  async #apply(d: Decision): Promise<void> {
    const hlc = parseHlc(d.hlc)!;
    this.#o.clock.observe(hlc);
    const { stream } = d;
    switch (d.k) {
      case 'ban': {
        const seconds = d.until === null ? undefined : Math.ceil((d.until - this.#o.now()) / 1000);
        const held = await this.#o.decisions.banState(stream, d.user, d.until, hlc);
        if (held && (seconds === undefined || seconds > 0)) await this.#o.bus.publish(stream, { kind: 'clear', user: d.user, reason: seconds === undefined ? 'ban' : 'timeout', seconds });
        return;
      }
      case 'unban':
        await this.#o.decisions.banState(stream, d.user, undefined, hlc);
        return;
      case 'modes':
        if (await this.#o.decisions.modes(stream, d.modes, hlc)) await this.#o.bus.publish(stream, { kind: 'state', state: { modes: await this.#o.state.getModes(stream) } });
        return;
      case 'rules':
        await this.#o.decisions.rules(stream, d.rules, hlc);
        return;
      case 'grant':
        await this.#o.decisions.grant(stream, d.user, d.roles, hlc);
        return;
      case 'warn':
        // The warned user's sessions in this region are told, as in the region that warned.
        if ((await this.#o.decisions.warning(stream, d.user, d.reason, hlc)) && d.reason !== null) await this.#o.bus.publish(stream, { kind: 'warned', user: d.user, reason: d.reason });
        return;
      case 'restrict':
        await this.#o.decisions.restricted(stream, d.user, d.restricted, hlc);
        return;
      case 'pin':
        await this.#o.pins.apply(stream, d.pin, hlc);
        return;
      case 'retract':
        await this.#o.retractions.retract(stream, d.ids, d.reason);
        return;
      case 'held': {
        const pushedOut = await this.#o.held.add(d.held);
        for (const old of pushedOut) await this.#reviewed(old, 'expired');
        await this.#o.bus.publish(stream, { kind: 'held', held: heldView(d.held, this.#o.heldTtlMs) });
        return;
      }
      case 'reviewed': {
        // Reviewed here first, or expired: nothing left to take.
        const taken = await this.#o.held.take(stream, d.heldId, this.#o.now(), d.outcome);
        if (taken !== undefined) await this.#reviewed(taken, d.outcome);
        return;
      }
    }
  }

  /** Tells this region's moderators and the author what became of a held line (as HeldMessages.settle does for a local one). */
  #reviewed(held: HeldMessage, outcome: ReviewOutcome): Promise<void> {
    return this.#o.bus.publish(held.stream, reviewedEvent(held, outcome));
  }
}
