/**
 * Why a session ends. Each transport turns it into what its wire can say (a
 * WebSocket close code, the end of a TCP stream, a cut HTTP response) and
 * each codec into its last words (an IRC `ERROR` line), so the session that
 * decides it never knows either.
 */
export type CloseReason =
  /** The server shuts down. */
  | 'goingAway'
  /** Anonymous and holding nothing for anonymousIdleMs. */
  | 'idle'
  /** The token the session signed in with has expired. */
  | 'tokenExpired'
  /** Too many refusals within the abuse window. */
  | 'abuse'
  /** Too far behind in reading (docs/protocol.md, close 4008). */
  | 'slow'
  /** Silent since the previous heartbeat. */
  | 'unresponsive'
  /** The client asked (IRC QUIT) or the protocol ended it (a failed IRC login, an SSE join refused). */
  | 'done';

/** What a transport tells the session it carries: the session is its only listener. */
export interface TransportEvents {
  /** One inbound frame (WebSocket message, IRC line); `binary` for a WebSocket binary frame. */
  received(data: string, binary: boolean): void;
  /** The peer showed it is there (a pong, or any line where the protocol pings in-band). */
  alive(): void;
  /** The connection is gone, whoever closed it. */
  closed(): void;
}

/**
 * One client connection's wire: a WebSocket, a TCP socket or an HTTP
 * response (read centrifuge's `Transport`: a name, writes, a close). It
 * writes what it is given and reports what arrives; every rule about what
 * to write and when to stop is the session's.
 */
export interface Transport {
  /** The `transport` label of the connection metrics. */
  readonly name: string;
  /** Shared bytes must be whole WebSocket frames (else they are the raw text's bytes). */
  readonly wsFramed: boolean;
  /** The peer negotiated permessage-deflate such that shared frames may go compressed (src/net/ws-deflate.ts). */
  readonly deflated: boolean;
  /** Still writable. */
  readonly open: boolean;
  /** Bytes written but not yet sent, for the slow-consumer rule. */
  readonly backlog: number;
  /** Starts reporting to `events` (once, when the session is made). */
  listen(events: TransportEvents): void;
  /** Text for this connection only. */
  write(text: string): void;
  /** Bytes encoded once for many connections; false when they cannot go as they are (the caller then writes the text). */
  writeShared(bytes: Buffer): boolean;
  /** The heartbeat: a ping the peer answers, or a keep-alive where it cannot answer. */
  ping(): void;
  /** Ends the connection for `reason`; what was written before still goes first unless the reader is too slow. */
  close(reason: CloseReason): void;
}
