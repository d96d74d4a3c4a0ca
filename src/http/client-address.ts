import type { IncomingMessage } from 'node:http';
import { BlockList, isIP, isIPv6 } from 'node:net';

/**
 * The address of the client behind a request, for per-address limits. The
 * peer address is the client unless it is a configured trusted proxy; then
 * X-Forwarded-For is read from the right (the hop that proxy added) past
 * further trusted proxies to the first address that is not one. Anything
 * left of that was written by the client itself and is ignored, so a client
 * cannot pick its own address. This is the same rule as Fastify's trustProxy
 * (request.ip), which is given `trusts`.
 */
export class ClientAddresses {
  readonly #proxies = new BlockList();
  readonly #none: boolean;

  /** `trustedProxies`: addresses and CIDR ranges, already checked by `badAddressRanges`. */
  constructor(trustedProxies: readonly string[]) {
    this.#none = trustedProxies.length === 0;
    for (const entry of trustedProxies) {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.#proxies.addAddress(address, family);
      else this.#proxies.addSubnet(address, Number(bits), family);
    }
  }

  trusts(address: string): boolean {
    if (this.#none) return false;
    const plain = plainAddress(address);
    const family = isIP(plain);
    return family !== 0 && this.#proxies.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** The client address of a raw request (a WebSocket upgrade), as Fastify's request.ip would say with the same proxies. */
  of(request: IncomingMessage): string {
    let address = plainAddress(request.socket.remoteAddress ?? '');
    if (!this.trusts(address)) return address;
    const header = request.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : header ?? '').split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plainAddress(hops[i]!.trim());
      if (isIP(hop) === 0) return address;
      address = hop;
      if (!this.trusts(address)) return address;
    }
    return address;
  }
}

/** An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; it is the same client as a.b.c.d. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** The entries of a trustedProxies list that are neither an address nor a CIDR range. */
export function badAddressRanges(entries: readonly string[]): string[] {
  return entries.filter((entry) => {
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || rest.length > 0) return true;
    return bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
  });
}

/**
 * The key a client address is limited under. An IPv6 client is its /64 (what
 * one subscriber line or host gets), else one of them could take a fresh
 * bucket per address; an IPv4-mapped address is the IPv4 address.
 */
export function clientKey(address: string): string {
  if (!isIPv6(address)) return address;
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && lower.includes('.')) return lower.slice('::ffff:'.length);
  const gap = lower.indexOf('::');
  const groups = gap === -1 ? lower.split(':') : [...split(lower.slice(0, gap)), ...split(lower.slice(gap + 2))];
  if (gap !== -1) groups.splice(split(lower.slice(0, gap)).length, 0, ...Array<string>(Math.max(0, 8 - groups.length)).fill('0'));
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

function split(part: string): string[] {
  return part === '' ? [] : part.split(':');
}
