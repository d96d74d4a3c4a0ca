/** What an IRC session writes to: a WebSocket or a TCP socket. */
export interface IrcTransport {
  /** True for WebSocket: shared frames are then written as pre-built WebSocket frames. */
  readonly websocket: boolean;
  /** Bytes written but not yet sent, for the slow-consumer check. */
  readonly backlog: number;
  /** Lines for this session only (CRLF-terminated). */
  write(text: string): void;
  /** Lines shared by every session of a stream: `bytes` were built once, `text` is their source. */
  writeShared(bytes: Buffer, text: string): void;
  /** Sends what is queued, then closes. */
  close(): void;
  /** The reader is too far behind: cut it off (WebSocket close 4008). */
  closeSlow(): void;
}
