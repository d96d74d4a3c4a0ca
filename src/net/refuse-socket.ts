import type { Duplex } from 'node:stream';

// Long enough for the peer to read the answer, short enough that a refused socket never outlives a shutdown for long.
const REFUSED_GRACE_MS = 2_000;

/**
 * Writes a last answer on a socket that will not be served and makes sure it
 * goes away. `end()` alone half-closes: a peer whose bytes were never read
 * never delivers its FIN to us, so the socket (and its file descriptor, and
 * a server's close) would wait forever.
 */
export function refuseSocket(socket: Duplex, answer: string): void {
  socket.on('error', () => undefined);
  // Whatever the peer sent or still sends is discarded, so its end is seen and the socket closes by itself.
  socket.resume();
  socket.end(answer);
  setTimeout(() => socket.destroy(), REFUSED_GRACE_MS).unref();
}

const REASONS: Record<number, string> = { 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

/** Refuses an HTTP upgrade before the handshake with an empty response of `status`. */
export function refuseUpgrade(socket: Duplex, status: 403 | 404 | 429 | 503, retryAfterSeconds?: number): void {
  const retry = retryAfterSeconds === undefined ? '' : `Retry-After: ${retryAfterSeconds}\r\n`;
  refuseSocket(socket, `HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\nContent-Length: 0\r\n${retry}\r\n`);
}

/** The answer to an upgrade the budget did not admit: 503 when the process is full or draining, 429 when the client's address holds its share. */
export function refuseUpgradeFor(socket: Duplex, refusal: 'full' | 'address'): void {
  if (refusal === 'full') refuseUpgrade(socket, 503, 1);
  else refuseUpgrade(socket, 429, ADDRESS_RETRY_AFTER_S);
}

// A client at its address's cap waits for one of its own connections to close; retrying at once would not help.
const ADDRESS_RETRY_AFTER_S = 10;
