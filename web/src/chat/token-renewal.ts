// The server closes a connection whose token expires (4001). A development
// page can mint a new token for the same name and roles, so it renews its
// token before then; a page with a host site's token cannot, and shows that
// the session expired when the close comes.

/** setTimeout's longest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;
/** Renew when a fifth of the lifetime is left, at most a minute before expiry. */
const MAX_MARGIN_MS = 60_000;

interface Claims {
  name?: unknown;
  roles?: unknown;
  color?: unknown;
}

/**
 * Returns what to call with each `welcome`'s `expiresInMs`: it (re)schedules
 * one renewal from POST /api/dev/token for the name, roles and colour of the
 * current token, then hands the new token to `renew` (which sends `auth`).
 * Outside development mode it schedules nothing.
 */
export function renewTokenBeforeExpiry(devMode: boolean, currentToken: () => string | null, renew: (token: string) => void): (expiresInMs: number | undefined) => void {
  let timer: number | undefined;
  return (expiresInMs) => {
    window.clearTimeout(timer);
    if (!devMode || expiresInMs === undefined) return;
    const delay = expiresInMs - Math.min(MAX_MARGIN_MS, expiresInMs / 5);
    timer = window.setTimeout(() => void mintLike(currentToken()).then((token) => token !== null && renew(token)), Math.min(delay, MAX_TIMER_MS));
  };
}

/** A development token for the same user as `token`; null if that is not possible (the 4001 close then tells). */
async function mintLike(token: string | null): Promise<string | null> {
  const claims = token === null ? null : claimsOf(token);
  if (claims === null || typeof claims.name !== 'string') return null;
  const response = await fetch('/api/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: claims.name, roles: claims.roles ?? {}, ...(typeof claims.color === 'string' ? { color: claims.color } : {}) }),
  }).catch(() => null);
  if (response === null || !response.ok) return null;
  const fresh = ((await response.json()) as { token: string }).token;
  // As the login form does: a reload keeps the renewed token.
  history.replaceState(null, '', `#token=${encodeURIComponent(fresh)}`);
  return fresh;
}

/** The payload of a JWT, unverified: only read to ask for a token like it. */
function claimsOf(token: string): Claims | null {
  try {
    const part = token.split('.')[1] ?? '';
    const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Claims;
  } catch {
    return null;
  }
}
