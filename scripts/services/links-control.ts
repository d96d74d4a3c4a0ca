// A client of the delayed links' control channel (region-links.ts), for
// tests and the benchmark: cut, heal and re-time the links between regions.
import type { LinkSelector, LinksState } from './region-links.ts';

export class LinksControl {
  readonly #url: string;

  /** `url`: the control channel, e.g. http://127.0.0.1:PORT (the services JSON's `links.controlUrl`). */
  constructor(url: string) {
    this.#url = url;
  }

  state(): Promise<LinksState> {
    return this.#call('GET', '/links');
  }

  /** Cuts the links the selector names: `{from, to}` one flow, `{region}` every link of a region, `{}` all. */
  cut(selector: LinkSelector = {}): Promise<LinksState> {
    return this.#call('POST', '/links/cut', { ...selector });
  }

  heal(selector: LinkSelector = {}): Promise<LinksState> {
    return this.#call('POST', '/links/heal', { ...selector });
  }

  setDelay(ms: number): Promise<LinksState> {
    return this.#call('POST', '/links/delay', { ms: String(ms) });
  }

  async #call(method: string, path: string, query: Record<string, string | undefined> = {}): Promise<LinksState> {
    const url = new URL(path, this.#url);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
    const response = await fetch(url, { method, signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as LinksState & { error?: string };
    if (!response.ok) throw new Error(`links control: ${body.error ?? response.status}`);
    return body;
  }
}
