// Where each load-generator socket connects from: a loopback source address
// and a source port chosen here rather than by the kernel. Binding to port 0
// makes Linux search the address's ports for a free one, and that search
// grows with the sockets already bound there: measured on this machine, 8,000
// sockets from one address cost 4.7 s of kernel time with port 0 and 0.55 s
// with the port given, and the first cost grows the fuller the address gets
// (a 20,000-viewer run spent 26 s of one worker's CPU in it).
import { readFileSync } from 'node:fs';

const FIRST_PORT = 1_024;
const LAST_PORT = 65_535;

export interface PortSlice {
  first: number;
  count: number;
}

/** Worker `w` of `workers`: its own run of ports, so no two workers ever pick the same (address, port). */
export function portSliceOf(w: number, workers: number): PortSlice {
  const count = Math.floor((LAST_PORT - FIRST_PORT + 1) / workers);
  return { first: FIRST_PORT + w * count, count };
}

/**
 * Ports something on this machine listens on: a source port equal to a
 * wildcard listener's is refused (EADDRINUSE), so they are never picked.
 */
export function listeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let table: string;
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // st 0A is LISTEN; local_address is HEXADDR:HEXPORT.
      if (fields[3] === '0A') ports.add(Number.parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** Hands out source ports of one worker's slice, in turn for each address (each address has all the ports). */
export class SourcePorts {
  readonly #slice: PortSlice;
  readonly #excluded: ReadonlySet<number>;
  readonly #next = new Map<string, number>();

  constructor(slice: PortSlice, excluded: ReadonlySet<number>) {
    if (slice.count < 1) throw new Error('a port slice needs at least one port');
    this.#slice = slice;
    this.#excluded = excluded;
  }

  /** The next port for `address`: the slice's ports in turn, skipping listeners, starting over at its end. */
  take(address: string): number {
    const { first, count } = this.#slice;
    let offset = this.#next.get(address) ?? 0;
    for (let tried = 0; tried < count; tried++) {
      const port = first + offset;
      offset = (offset + 1) % count;
      if (this.#excluded.has(port)) continue;
      this.#next.set(address, offset);
      return port;
    }
    throw new Error(`no usable source port in ${first}-${first + count - 1}`);
  }
}
