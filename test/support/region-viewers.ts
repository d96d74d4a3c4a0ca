// Viewers and senders of the multi-region integration tests: one gateway per
// region, real v1 WebSocket clients, every line's arrival noted per region.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GlobalOrderState, RateState } from '../../src/protocol/types.ts';
import { chatter, type TestServer } from './servers.ts';
import { TestClient, type Frame } from './ws-client.ts';

/** A viewer in one region that notes when each line first arrived, and every `state.globalOrder` and `state.rate` it was told, per stream. */
export class RegionViewer {
  readonly arrivals = new Map<string, number>();
  readonly #orders = new Map<string, Array<GlobalOrderState & { at: number }>>();
  readonly #rates = new Map<string, Array<RateState & { at: number }>>();
  readonly client: TestClient;

  private constructor(client: TestClient) {
    this.client = client;
    client.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      const at = Date.now();
      for (const m of frame.type === 'msg' ? [frame] : frame.type === 'batch' ? (frame.msgs as Frame[]) : []) {
        if (!this.arrivals.has(m.id as string)) this.arrivals.set(m.id as string, at);
      }
      const state = frame.type === 'state' ? frame : frame.type === 'joined' ? frame.state : undefined;
      if (state?.globalOrder !== undefined) this.orders(frame.stream as string).push({ ...state.globalOrder, at });
      if (state?.rate !== undefined) listOf(this.#rates, frame.stream as string).push({ ...state.rate, at });
    });
  }

  /** An anonymous viewer of `streams` on `gateway`, from now on (no history). */
  static async join(gateway: TestServer, streams: readonly string[]): Promise<RegionViewer> {
    const viewer = new RegionViewer(await TestClient.connect(gateway.wsUrl));
    for (const stream of streams) {
      viewer.client.send({ type: 'join', stream, history: 0 });
      await viewer.client.next('joined', (f) => f.stream === stream);
    }
    return viewer;
  }

  /** The ids of the stream's live lines, in the order shown (duplicates kept). */
  ids(stream: string): string[] {
    return this.client.liveMessages(stream).map((m) => m.id as string);
  }

  /** Every `state.globalOrder` of the stream this viewer was told, oldest first. */
  orders(stream: string): Array<GlobalOrderState & { at: number }> {
    return listOf(this.#orders, stream);
  }

  /** Every `state.rate` of the stream this viewer was told, oldest first. */
  rates(stream: string): Array<RateState & { at: number }> {
    return listOf(this.#rates, stream);
  }

  degraded(stream: string): boolean {
    return this.orders(stream).at(-1)?.degraded === true;
  }
}

function listOf<T>(lists: Map<string, T[]>, stream: string): T[] {
  let list = lists.get(stream);
  if (list === undefined) lists.set(stream, (list = []));
  return list;
}

/** A signed-in sender on `gateway`, joined to every stream of `streams` (a send needs the join). */
export async function regionSender(gateway: TestServer, name: string, streams: readonly string[], roles: Record<string, string[]> = {}): Promise<TestClient> {
  const client = await chatter(gateway, name, roles, streams[0]!);
  for (const stream of streams.slice(1)) {
    client.send({ type: 'join', stream });
    await client.next('joined', (f) => f.stream === stream);
  }
  return client;
}

/** Waits (bounded) until every viewer has shown every one of `ids`; the failure names what each region misses. */
export async function arrivedEverywhere(viewers: ReadonlyMap<string, RegionViewer>, ids: Iterable<string>, what: string, ms = 60_000): Promise<void> {
  const want = [...ids];
  const deadline = Date.now() + ms;
  while (![...viewers.values()].every((v) => want.every((id) => v.arrivals.has(id)))) {
    assert.ok(Date.now() < deadline, `${what}: missing ${[...viewers].map(([r, v]) => `${r} ${want.filter((id) => !v.arrivals.has(id)).join(' ')}`).join(', ')}`);
    await sleep(50);
  }
}

/**
 * A peer's first lines on a new topic reach a region only once the mirror
 * found the topic and the region's group took its starting position: each
 * region sends in `stream` (regional order) until every region has shown one
 * of its lines (bounded).
 */
export async function warmUp(senders: ReadonlyMap<string, TestClient>, viewers: ReadonlyMap<string, RegionViewer>, stream: string): Promise<void> {
  for (const [from, sender] of senders) {
    const mine = new Set<string>();
    for (let i = 0; ![...viewers.values()].every((v) => [...mine].some((id) => v.arrivals.has(id))); i++) {
      assert.ok(i < 200, `lines of ${from} never reached every region`);
      const ack = await sender.request({ type: 'send', stream, text: `warm-up ${i}` });
      assert.equal(ack.type, 'ack', JSON.stringify(ack));
      mine.add(ack.id as string);
      await sleep(500);
    }
  }
}

/**
 * Switches `stream` to global order (a moderator in each region), then sends
 * rounds of lines until one ends with no region degraded: each region starts
 * its heartbeats when it first sees a line of a stream in global order, so
 * the first lines may wait past the bound (bounded).
 */
export async function switchToGlobal(gateways: ReadonlyMap<string, TestServer>, senders: ReadonlyMap<string, TestClient>, viewers: ReadonlyMap<string, RegionViewer>, stream: string, holdMaxMs: number): Promise<void> {
  for (const [region, gateway] of gateways) {
    const mod = await chatter(gateway, `mod_${region}`, { [stream]: ['moderator'] }, stream);
    const ack = await mod.request({ type: 'mod', stream, action: 'modes', modes: { ordering: 'global' } });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    mod.close();
  }
  await sleep(1_500); // a gateway reads a stream's ordering at most a second old
  for (let round = 0; ; round++) {
    const ids = await Promise.all([...senders].map(async ([from, sender]) => {
      const ack = await sender.request({ type: 'send', stream, text: `settle ${from} ${round}` });
      assert.equal(ack.type, 'ack', JSON.stringify(ack));
      return ack.id as string;
    }));
    await arrivedEverywhere(viewers, ids, 'settling lines');
    await sleep(2 * holdMaxMs);
    if (![...viewers.values()].some((v) => v.degraded(stream))) return;
    assert.ok(round < 20, 'the global order never settled undegraded');
  }
}

/** Pairs of lines `other` shows the other way round from `reference` (both hold the same ids). */
export function inversions(reference: readonly string[], other: readonly string[]): number {
  const rank = new Map(reference.map((id, i) => [id, i]));
  const ranks = other.map((id) => rank.get(id)!);
  let count = 0;
  for (let i = 0; i < ranks.length; i++) for (let j = i + 1; j < ranks.length; j++) if (ranks[i]! > ranks[j]!) count++;
  return count;
}
