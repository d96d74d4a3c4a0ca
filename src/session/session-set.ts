import type { ConnectionBudget, ConnectionSlot } from '../limits/connection-budget.ts';
import type { Codec } from './codec.ts';
import { HeartbeatSweep } from './heartbeat-sweep.ts';
import { Session, type SessionDeps } from './session.ts';
import type { Transport } from './transport.ts';

export interface SessionSetOptions {
  deps: SessionDeps;
  budget: Pick<ConnectionBudget, 'admit'>;
  /** How often every session is pinged and its backlog looked at. */
  heartbeatMs: number;
}

/**
 * A gateway's open sessions: admission through the connection budget, the
 * heartbeat, the connection count, and the drain and close of shutdown.
 * Each gateway (v1, IRC, SSE) has one; what differs between them is only how
 * a connection arrives.
 */
export class SessionSet {
  readonly #o: SessionSetOptions;
  readonly #sessions = new Set<Session<unknown, unknown>>();
  readonly #heartbeat: HeartbeatSweep;
  #draining = false;

  constructor(options: SessionSetOptions) {
    this.#o = options;
    this.#heartbeat = new HeartbeatSweep(() => this.#sessions, options.heartbeatMs);
  }

  /** A place in the connection budget, or why not; a draining gateway is full. */
  admit(address: string): ConnectionSlot | 'full' | 'address' {
    return this.#draining ? 'full' : this.#o.budget.admit(address);
  }

  open<Frame, Ref>(transport: Transport, codec: Codec<Frame, Ref>, slot: ConnectionSlot): Session<Frame, Ref> {
    const session = new Session(transport, codec, this.#o.deps, slot, (closed) => {
      if (this.#sessions.delete(closed as Session<unknown, unknown>)) this.#o.deps.metrics.connections.dec({ transport: transport.name });
    });
    this.#sessions.add(session as Session<unknown, unknown>);
    this.#o.deps.metrics.connections.inc({ transport: transport.name });
    return session;
  }

  /** Tells every session to reconnect after `afterMs` (clients add their own jitter); they stay open so answers still arrive. */
  drain(afterMs: number): void {
    this.#draining = true;
    for (const session of this.#sessions) session.drain(afterMs);
  }

  close(): void {
    this.#heartbeat.stop();
    this.#draining = true;
    for (const session of this.#sessions) session.close('goingAway');
  }
}
