// Which image URLs Chorus stores and which its pages may draw. Stored: https,
// or plain http only on a loopback host (a development image server on the
// viewer's own machine; a page served over https could not load it anyway).
// Drawn: only those whose origin the operator listed in `imageOrigins`,
// which the chat page's Content-Security-Policy `img-src` also names, so the
// browser itself refuses anything else.
import { MAX_IMAGE_URL_LENGTH } from '../protocol/stream-images.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why `url` cannot be an emote or badge image, or undefined when it can. */
export function imageUrlProblem(url: string): string | undefined {
  if (url.length > MAX_IMAGE_URL_LENGTH) return `must be at most ${MAX_IMAGE_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry a user name or password';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return undefined;
  return 'must be https (http only on a loopback host)';
}

/** Why `origin` cannot be in `imageOrigins` (a setting), or undefined when it can. */
export function imageOriginProblem(origin: string): string | undefined {
  const problem = imageUrlProblem(origin);
  if (problem !== undefined) return problem;
  // Exactly an origin: a path or a trailing slash would not match in CSP the way an operator expects.
  return new URL(origin).origin === origin ? undefined : 'must be an origin only, as https://cdn.example (no path, no trailing slash)';
}

/** The allowlist of image origins, for the send side of the page (which entries to list) and its CSP. */
export class ImageOrigins {
  readonly #origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.#origins = new Set(origins);
  }

  /** True when `url` is a storable image URL from an allowed origin. */
  allows(url: string): boolean {
    if (this.#origins.size === 0 || imageUrlProblem(url) !== undefined) return false;
    return this.#origins.has(new URL(url).origin);
  }

  /** The CSP `img-src` sources: this origin, data: (the favicon), then the allowed ones. */
  cspSources(): string {
    return ["'self'", 'data:', ...this.#origins].join(' ');
  }
}
