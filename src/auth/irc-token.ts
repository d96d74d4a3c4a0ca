// IRC passwords: tmi.js lower-cases the password before sending it, so a JWT
// (case-sensitive base64url) cannot pass through. The IRC token is the JWT
// itself in lower-case base32 (RFC 4648 alphabet, no padding): it survives
// lower-casing, needs no server-side table, and is verified exactly like the
// JWT it carries (same keys, same expiry), on any gateway.

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

export function encodeIrcToken(jwt: string): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const byte of Buffer.from(jwt, 'utf8')) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * The JWT inside a PASS value: `oauth:` is optional, any case is accepted
 * (tmi.js lower-cases), and a raw JWT (it has dots; base32 has none) is taken
 * as it is, for IRC clients that keep the password's case. Undefined if it is neither.
 */
export function jwtFromPassword(password: string): string | undefined {
  const value = password.replace(/^oauth:/i, '');
  if (value.includes('.')) return value;
  const lower = value.toLowerCase();
  const bytes: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const c of lower) {
    const v = VALUE.get(c);
    if (v === undefined) return undefined;
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >>> bits) & 255);
    }
    acc &= (1 << bits) - 1;
  }
  return bytes.length === 0 ? undefined : Buffer.from(bytes).toString('utf8');
}
