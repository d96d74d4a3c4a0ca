import { KeyedCounter } from './keyed-counter.ts';

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxConnectionsPerUser: number;
}

/** Why a connection was not admitted: the process is full, or its client address holds its share already. */
export type Refusal = 'full' | 'address';

/**
 * The connections one process accepts, across every transport (v1
 * WebSocket, IRC over WebSocket and TCP, SSE): they share one open-files
 * limit. Each is also counted against its client address when it is
 * accepted, and against its user once it signs in.
 */
export class ConnectionBudget {
  readonly #max: number;
  readonly #byAddress: KeyedCounter;
  readonly #byUser: KeyedCounter;
  readonly #onRefused: (reason: Refusal | 'user') => void;
  #open = 0;

  constructor(limits: ConnectionLimits, onRefused: (reason: Refusal | 'user') => void) {
    this.#max = limits.maxConnections;
    this.#byAddress = new KeyedCounter(limits.maxConnectionsPerIp);
    this.#byUser = new KeyedCounter(limits.maxConnectionsPerUser);
    this.#onRefused = onRefused;
  }

  /** Checked before a handshake, so a full process refuses before it runs out of file descriptors. */
  admit(address: string): ConnectionSlot | Refusal {
    const refusal = this.#open >= this.#max ? 'full' : this.#byAddress.tryAdd(address) ? undefined : 'address';
    if (refusal !== undefined) {
      this.#onRefused(refusal);
      return refusal;
    }
    this.#open++;
    return new ConnectionSlot(address, this);
  }

  /** Counts a signed-in connection against its user; false (and counted as refused) when the user holds its share. */
  claimUser(userId: string): boolean {
    if (this.#byUser.tryAdd(userId)) return true;
    this.#onRefused('user');
    return false;
  }

  releaseUser(userId: string): void {
    this.#byUser.remove(userId);
  }

  release(address: string): void {
    this.#byAddress.remove(address);
    this.#open--;
  }
}

/** One admitted connection's place in the budget; `release` gives back everything it holds, once. */
export class ConnectionSlot {
  readonly #address: string;
  readonly #budget: ConnectionBudget;
  #user: string | undefined;
  #released = false;

  constructor(address: string, budget: ConnectionBudget) {
    this.#address = address;
    this.#budget = budget;
  }

  /** Called when the connection signs in; false when that user holds the maximum already. Signing in again as the same user counts once. */
  claimUser(userId: string): boolean {
    if (this.#released || this.#user === userId) return true;
    if (!this.#budget.claimUser(userId)) return false;
    if (this.#user !== undefined) this.#budget.releaseUser(this.#user);
    this.#user = userId;
    return true;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#user !== undefined) this.#budget.releaseUser(this.#user);
    this.#budget.release(this.#address);
  }
}
