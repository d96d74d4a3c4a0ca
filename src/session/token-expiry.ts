import { decodeJwt } from 'jose';

// A signed-in connection lives no longer than its token: `exp` is checked at
// `auth`, and this timer (one per signed-in connection, re-armed by each
// re-authentication, cleared on close) ends the connection when it passes.

/** setTimeout's longest delay; a longer one fires at once, so far expiries wait in steps. */
const MAX_TIMER_MS = 2_147_483_647;

export class TokenExpiry {
  readonly #onExpired: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(onExpired: () => void) {
    this.#onExpired = onExpired;
  }

  /** Expires at `expiresAt` (ms since epoch), replacing any earlier arming; never for undefined. */
  arm(expiresAt: number | undefined): void {
    this.clear();
    if (expiresAt === undefined) return;
    const left = expiresAt - Date.now();
    if (left <= 0) {
      this.#onExpired();
      return;
    }
    this.#timer = setTimeout(() => (left > MAX_TIMER_MS ? this.arm(expiresAt) : this.#onExpired()), Math.min(left, MAX_TIMER_MS));
    this.#timer.unref();
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** Milliseconds until `expiresAt`, for the `welcome` frame; undefined for a token without `exp`. */
export function msUntil(expiresAt: number | undefined): number | undefined {
  return expiresAt === undefined ? undefined : Math.max(0, expiresAt - Date.now());
}

/**
 * When a token that the Authenticator has just accepted expires (ms since
 * epoch), undefined if it has no `exp`. Read from the token itself, after
 * verification, so the verification rules stay in one place (src/auth).
 */
export function expiresAtOf(verifiedToken: string): number | undefined {
  const exp = decodeJwt(verifiedToken).exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}
