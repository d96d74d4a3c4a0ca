// Viewers of the regions scenario that keep every line they are shown, in
// the order shown, with its id, its origin region, the sender's send time
// (the `t=` its text carries) and when it arrived. The load generator's
// viewers count and time lines without reading them; these few read every
// frame, so orders can be compared between regions, latency split by
// origin, and each acknowledged line looked for in every region.
import WebSocket from 'ws';
import type { RegionName } from './regions-scenario.ts';

export interface Shown {
  id: string;
  origin: string;
  /** The sender's wall-clock send time (one machine, one clock). */
  sentAt: number;
  arrivedAt: number;
}

interface Line {
  id: string;
  origin?: string;
  text: string;
}

const JOIN_TIMEOUT_MS = 15_000;
// The load worker's lines read "probe <nonce> t=<send time>"; other lines (the warm-up's) are not kept.
const SENT_AT = / t=(\d+)$/;

export class Observer {
  readonly region: RegionName;
  /** Which of the region's gateways it watches (0 with one). */
  readonly gateway: number;
  /** Every probe line in the order shown (a line shown twice is here twice). */
  readonly shown: Shown[] = [];
  readonly #ids = new Set<string>();
  /** Every line's id shown, warm-up lines included. */
  readonly allIds = new Set<string>();
  /** When `state.globalOrder` said degraded (some region left out of the wait), and whom. */
  readonly degraded: Array<{ at: number; leftOut: string[] }> = [];
  readonly #ws: WebSocket;
  #closing = false;
  /** Closed by the server during the run: its lines are incomplete. */
  closedEarly = false;

  private constructor(region: RegionName, gateway: number, ws: WebSocket) {
    this.region = region;
    this.gateway = gateway;
    this.#ws = ws;
  }

  /** Connects to the region's gateway `gateway` at `url`, joins the stream without history, and resolves once joined. */
  static open(region: RegionName, gateway: number, url: string, stream: string): Promise<Observer> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const observer = new Observer(region, gateway, ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`observer in ${region}: not joined within ${JOIN_TIMEOUT_MS} ms`)), JOIN_TIMEOUT_MS);
      ws.once('error', reject);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'join', stream, history: 0 })));
      ws.on('close', () => (observer.closedEarly = !observer.#closing));
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { type: string; msgs?: Line[]; globalOrder?: { degraded: boolean; leftOut: string[] } } & Line;
        if (frame.type === 'state' && frame.globalOrder?.degraded === true) {
          observer.degraded.push({ at: Date.now(), leftOut: frame.globalOrder.leftOut });
        } else if (frame.type === 'joined') {
          clearTimeout(timer);
          resolve(observer);
        } else if (frame.type === 'msg') {
          observer.#take([frame], Date.now());
        } else if (frame.type === 'batch') {
          observer.#take(frame.msgs!, Date.now());
        }
      });
    });
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  close(): void {
    this.#closing = true;
    this.#ws.close();
  }

  #take(lines: Line[], arrivedAt: number): void {
    for (const line of lines) {
      this.allIds.add(line.id);
      const sent = SENT_AT.exec(line.text);
      if (sent === null) continue;
      this.#ids.add(line.id);
      this.shown.push({ id: line.id, origin: line.origin ?? '', sentAt: Number(sent[1]), arrivedAt });
    }
  }
}

/** `perRegion` observers in each region, spread over its gateways in turn (the first ones one on each), joined before anyone sends. */
export async function openObservers(urls: Map<RegionName, string[]>, stream: string, perRegion: number): Promise<Map<RegionName, Observer[]>> {
  const out = new Map<RegionName, Observer[]>();
  for (const [region, list] of urls) {
    out.set(region, await Promise.all(Array.from({ length: perRegion }, (_, i) => Observer.open(region, i % list.length, list[i % list.length]!, stream))));
  }
  return out;
}
