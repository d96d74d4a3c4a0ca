import type { GlobalOrderState } from '../protocol/types.ts';
import type { Hlc } from './hlc.ts';

export interface GlobalOrderOptions {
  /** Every region whose lines enter this order, this one included. */
  regions: readonly string[];
  /** The longest a region may keep a line waiting, or stay silent, before it is left out of the wait. */
  holdMaxMs: number;
  /** Lines held at most; one more leaves out the regions the oldest held line waits for. */
  maxHeld: number;
}


interface Held<T> {
  line: T;
  hlc: Hlc;
  id: string;
  arrivedAt: number;
}

interface RegionMark {
  /** Everything this region stamps from now on is above this (in wall and counter); undefined until heard from. */
  watermark: Hlc | undefined;
  /** When the watermark last moved forward (or when the order first heard of anyone). */
  movedAt: number;
}

/**
 * One stream's global order in one region: lines from every region go in,
 * and come out in HLC order (ties by id), each only once every region's
 * watermark has passed it, so every region releases the same sequence.
 *
 * A line also moves its own region's watermark to its stamp: the wiring
 * hands each region's lines over in stamp order. A region that has not
 * moved its watermark for `holdMaxMs`, or that keeps the oldest held line
 * waiting that long, or that the oldest line waits for when the held lines
 * exceed `maxHeld`, is left out: the stream is degraded, lines no longer
 * wait for it, and its own lines go out in order among what is still held,
 * or at once if the order has already passed them. It is waited for again
 * once its watermark has passed the newest line released.
 *
 * Pure: the caller passes the time and writes out what each call returns.
 */
export class GlobalOrder<T> {
  readonly #o: GlobalOrderOptions;
  readonly #marks = new Map<string, RegionMark>();
  readonly #leftOut = new Set<string>();
  /** Held lines, newest first, so the oldest is released with a pop. */
  readonly #held: Array<Held<T>> = [];
  readonly #heldIds = new Set<string>();
  #lastReleased: Held<T> | undefined;
  #started = false;

  constructor(options: GlobalOrderOptions) {
    this.#o = options;
  }

  get held(): number {
    return this.#held.length;
  }

  /** A line of `hlc.region`; returns what may go out now, in order. */
  add(line: T, hlc: Hlc, id: string, now: number): T[] {
    this.#mark(hlc.region, now);
    this.#heard(hlc.region, hlc, now);
    const entry: Held<T> = { line, hlc, id, arrivedAt: now };
    if (this.#lastReleased !== undefined && compareHeld(entry, this.#lastReleased) < 0) {
      // The order has gone past it (its region was left out): out at once rather than never.
      return [line, ...this.#release(now)];
    }
    if (!this.#heldIds.has(id)) {
      this.#heldIds.add(id);
      this.#held.splice(this.#insertionPoint(entry), 0, entry);
    }
    return this.#release(now);
  }

  /** A watermark heartbeat: the region will stamp nothing at or below it. */
  advance(region: string, watermark: Hlc, now: number): T[] {
    this.#mark(region, now);
    this.#heard(region, watermark, now);
    return this.#release(now);
  }

  /** Applies the hold bound with no news (call it every heartbeat interval). */
  tick(now: number): T[] {
    this.#mark(undefined, now);
    return this.#release(now);
  }

  /** Everything held, in order, at once: the stream left global ordering. */
  drain(): T[] {
    const out = this.#held.reverse().map((entry) => entry.line);
    this.#lastReleased = this.#held[this.#held.length - 1] ?? this.#lastReleased;
    this.#held.length = 0;
    this.#heldIds.clear();
    return out;
  }

  state(): GlobalOrderState {
    return { degraded: this.#leftOut.size > 0, leftOut: [...this.#leftOut].sort() };
  }

  #mark(region: string | undefined, now: number): void {
    if (region !== undefined && !this.#o.regions.includes(region)) throw new Error(`global order: unknown region ${region}`);
    if (this.#started) return;
    // Silence counts from the first thing this order heard.
    this.#started = true;
    for (const r of this.#o.regions) this.#marks.set(r, { watermark: undefined, movedAt: now });
  }

  #heard(region: string, watermark: Hlc, now: number): void {
    const mark = this.#marks.get(region)!;
    if (mark.watermark !== undefined && !isAfter(watermark, mark.watermark)) return;
    mark.watermark = watermark;
    mark.movedAt = now;
    if (this.#leftOut.has(region) && (this.#lastReleased === undefined || passes(watermark, this.#lastReleased.hlc))) this.#leftOut.delete(region);
  }

  #release(now: number): T[] {
    for (const [region, mark] of this.#marks) {
      if (now - mark.movedAt > this.#o.holdMaxMs) this.#leftOut.add(region);
    }
    const out: T[] = [];
    while (this.#held.length > 0) {
      const head = this.#held.at(-1)!;
      const blockers = this.#blockers(head);
      if (blockers.length > 0) {
        if (now - head.arrivedAt <= this.#o.holdMaxMs && this.#held.length <= this.#o.maxHeld) break;
        for (const region of blockers) this.#leftOut.add(region);
      }
      this.#held.pop();
      this.#heldIds.delete(head.id);
      this.#lastReleased = head;
      out.push(head.line);
    }
    return out;
  }

  /** The regions still waited for whose watermark has not passed the line. */
  #blockers(entry: Held<T>): string[] {
    const blockers: string[] = [];
    for (const [region, mark] of this.#marks) {
      if (region === entry.hlc.region || this.#leftOut.has(region)) continue;
      if (mark.watermark === undefined || !passes(mark.watermark, entry.hlc)) blockers.push(region);
    }
    return blockers;
  }

  /** Binary search in the newest-first array; lines mostly arrive newest, near index 0. */
  #insertionPoint(entry: Held<T>): number {
    let lo = 0;
    let hi = this.#held.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareHeld(this.#held[mid]!, entry) > 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A region whose watermark is `w` stamps nothing more at or below it, so it has passed every line up to w in wall and counter. */
function passes(w: Hlc, line: Hlc): boolean {
  return w.wall > line.wall || (w.wall === line.wall && w.logical >= line.logical);
}

function isAfter(a: Hlc, b: Hlc): boolean {
  return a.wall > b.wall || (a.wall === b.wall && a.logical > b.logical);
}

function compareHeld<T>(a: Held<T>, b: Held<T>): number {
  const x = a.hlc;
  const y = b.hlc;
  if (x.wall !== y.wall) return x.wall - y.wall;
  if (x.logical !== y.logical) return x.logical - y.logical;
  if (x.region !== y.region) return x.region < y.region ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
