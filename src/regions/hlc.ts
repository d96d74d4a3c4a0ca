/**
 * A hybrid logical clock stamp (Kulkarni et al., 2014): the physical time in
 * ms, a counter that orders stamps within one ms or while the physical clock
 * lags one already seen, and the region that stamped it. Stamps compare by
 * wall, then counter, then region name, so two regions never tie; within a
 * region the caller breaks a tie by the line's id.
 */
export interface Hlc {
  wall: number;
  logical: number;
  region: string;
}

export function compareHlc(a: Hlc, b: Hlc): -1 | 0 | 1 {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  if (a.region !== b.region) return a.region < b.region ? -1 : 1;
  return 0;
}

/** `wall.logical.region`: how a stamp travels in log records. */
export function formatHlc(h: Hlc): string {
  return `${h.wall}.${h.logical}.${h.region}`;
}

const HLC_TEXT = /^(\d{1,16})\.(\d{1,9})\.([a-z][a-z0-9-]{0,31})$/;

/** Undefined for text that is not a stamp (a record from elsewhere is never trusted). */
export function parseHlc(text: string): Hlc | undefined {
  const match = HLC_TEXT.exec(text);
  if (match === null) return undefined;
  return { wall: Number(match[1]), logical: Number(match[2]), region: match[3]! };
}

/**
 * One region's clock. `now` stamps a local event (a line accepted here);
 * `observe` takes in a stamp received from another region, so every later
 * local stamp orders after it even when that region's physical clock runs
 * ahead of this one. Stamps of one clock strictly increase.
 */
export class HybridClock {
  readonly region: string;
  readonly #physical: () => number;
  #wall = 0;
  #logical = 0;

  constructor(region: string, physical: () => number = Date.now) {
    this.region = region;
    this.#physical = physical;
  }

  now(): Hlc {
    const pt = this.#physical();
    if (pt > this.#wall) {
      this.#wall = pt;
      this.#logical = 0;
    } else {
      this.#logical++;
    }
    return { wall: this.#wall, logical: this.#logical, region: this.region };
  }

  observe(remote: Hlc): void {
    const pt = this.#physical();
    const wall = Math.max(this.#wall, remote.wall, pt);
    if (wall === this.#wall && wall === remote.wall) this.#logical = Math.max(this.#logical, remote.logical) + 1;
    else if (wall === this.#wall) this.#logical++;
    else if (wall === remote.wall) this.#logical = remote.logical + 1;
    else this.#logical = 0;
    this.#wall = wall;
  }
}
