import { byId } from '../shared/dom.ts';
import type { Role } from '../shared/wire.ts';

/** The token a host site put in the fragment (`#token=JWT`); it never reaches the server in a request. */
export function tokenFromFragment(): string | null {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  return token === null || token === '' ? null : token;
}

/**
 * Development mode's login form: a name and roles for this stream, a token
 * from POST /api/dev/token. The token goes into the fragment, so a reload
 * keeps the login, exactly as an embedding site's token would.
 */
export function offerDevLogin(stream: string, onToken: (token: string) => void, note = ''): void {
  const form = byId<HTMLFormElement>('login');
  const status = byId('login-status');
  form.hidden = false;
  status.textContent = note;
  // Offered again after a refused token: one submit handler however often.
  if (form.dataset.wired === 'true') return;
  form.dataset.wired = 'true';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const roles = data.getAll('role').map(String) as Role[];
    void fetch('/api/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: String(data.get('name') ?? ''), roles: { [stream]: roles } }),
    }).then(async (response) => {
      if (!response.ok) {
        status.textContent = response.status === 400 ? 'Names are 1-25 letters, digits or _.' : `Login failed (${response.status}).`;
        return;
      }
      const { token } = (await response.json()) as { token: string };
      history.replaceState(null, '', `#token=${encodeURIComponent(token)}`);
      form.hidden = true;
      onToken(token);
    });
  });
}

/**
 * The server refused the page's token (expired, or signed with a secret the
 * server no longer has): drop it from the fragment, so a reload does not
 * bring it back, and in development mode offer the login form again rather
 * than leave the page signed out with no way back in.
 */
export function fallBackToLogin(stream: string, reason: string, onToken: (token: string) => void): void {
  history.replaceState(null, '', location.pathname + location.search);
  if (document.body.dataset.dev === 'true') offerDevLogin(stream, onToken, `Signed out (${reason}): log in again.`);
}
