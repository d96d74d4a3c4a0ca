// The delayed links between regions, as one set: each carries one
// replication flow (MirrorMaker 2 of region `to` reading region `from`'s
// broker), and a control channel over HTTP cuts, heals and re-times them.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DelayLink } from './delay-link.ts';

export interface LinkSpec {
  /** The region whose broker the link leads to (the flow's source). */
  from: string;
  /** The region whose MirrorMaker uses the link (the flow's target). */
  to: string;
  listenPort: number;
  targetPort: number;
}

/** Which links a control call applies to: both ends given, one end, a region at either end, or (empty) all. */
export interface LinkSelector {
  from?: string;
  to?: string;
  region?: string;
}

export interface LinkState {
  from: string;
  to: string;
  port: number;
  cut: boolean;
  openSockets: number;
}

export interface LinksState {
  delayMs: number;
  links: LinkState[];
}

export class RegionLinks {
  readonly #links: Array<{ spec: LinkSpec; link: DelayLink }>;
  #delayMs: number;

  static async open(specs: readonly LinkSpec[], delayMs: number): Promise<RegionLinks> {
    const links: Array<{ spec: LinkSpec; link: DelayLink }> = [];
    try {
      for (const spec of specs) links.push({ spec, link: await DelayLink.open({ listenPort: spec.listenPort, targetPort: spec.targetPort, delayMs }) });
    } catch (error) {
      await Promise.all(links.map(({ link }) => link.close()));
      throw error;
    }
    return new RegionLinks(links, delayMs);
  }

  private constructor(links: Array<{ spec: LinkSpec; link: DelayLink }>, delayMs: number) {
    this.#links = links;
    this.#delayMs = delayMs;
  }

  cut(selector: LinkSelector = {}): LinksState {
    for (const { link } of this.#select(selector)) link.cut();
    return this.state();
  }

  heal(selector: LinkSelector = {}): LinksState {
    for (const { link } of this.#select(selector)) link.heal();
    return this.state();
  }

  setDelay(ms: number): LinksState {
    for (const { link } of this.#links) link.delayMs = ms;
    this.#delayMs = ms;
    return this.state();
  }

  state(): LinksState {
    return {
      delayMs: this.#delayMs,
      links: this.#links.map(({ spec, link }) => ({ from: spec.from, to: spec.to, port: link.port, cut: link.isCut, openSockets: link.openSockets })),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.#links.map(({ link }) => link.close()));
  }

  #select(selector: LinkSelector): Array<{ spec: LinkSpec; link: DelayLink }> {
    const chosen = this.#links.filter(({ spec }) => matches(spec, selector));
    if (chosen.length === 0) throw new RangeError(`no link matches ${JSON.stringify(selector)}`);
    return chosen;
  }
}

function matches(spec: LinkSpec, selector: LinkSelector): boolean {
  if (selector.from !== undefined && spec.from !== selector.from) return false;
  if (selector.to !== undefined && spec.to !== selector.to) return false;
  return selector.region === undefined || spec.from === selector.region || spec.to === selector.region;
}

/**
 * The control channel on 127.0.0.1:port: `GET /links` answers the state;
 * `POST /links/cut` and `POST /links/heal` take `from`, `to` and `region` as
 * query parameters (none: every link); `POST /links/delay?ms=N` re-times
 * every link. Each POST answers the new state. See docs/operations.md.
 */
export async function serveLinksControl(links: RegionLinks, port: number): Promise<Server> {
  const server = createServer((request, response) => answer(links, request, response));
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function answer(links: RegionLinks, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://control');
  const query = url.searchParams;
  const selector: LinkSelector = {};
  for (const key of ['from', 'to', 'region'] as const) {
    const value = query.get(key);
    if (value !== null) selector[key] = value;
  }
  const route = `${request.method} ${url.pathname}`;
  try {
    if (route === 'GET /links') return reply(response, 200, links.state());
    if (route === 'POST /links/cut') return reply(response, 200, links.cut(selector));
    if (route === 'POST /links/heal') return reply(response, 200, links.heal(selector));
    if (route === 'POST /links/delay') return reply(response, 200, links.setDelay(Number(query.get('ms'))));
    reply(response, 404, { error: `no route ${route}` });
  } catch (error) {
    reply(response, 400, { error: error instanceof Error ? error.message : String(error) });
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
