import { afterServerHint, backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import type { Answer, Message, ServerFrame } from '../shared/wire.ts';

export type ConnectionStatus = { kind: 'connecting' } | { kind: 'online' } | { kind: 'waiting'; retryAt: number };

export interface ConnectionHandlers {
  welcome(frame: Extract<ServerFrame, { type: 'welcome' }>): void;
  /** `resumed`: history continues what was shown (a `since` join); otherwise it replaces it. */
  joined(frame: Extract<ServerFrame, { type: 'joined' }>, resumed: boolean): void;
  /** Live lines in seq order, each seen once. */
  messages(msgs: readonly Message[]): void;
  /** retract, clear, state and unsolicited errors. */
  other(frame: ServerFrame): void;
  status(status: ConnectionStatus): void;
  /** The token expired unrenewed (close 4001): the connection goes on anonymously. */
  expired(): void;
}

/** docs/protocol.md: the server closes a connection whose token expired. */
const TOKEN_EXPIRED = 4001;

const PING_EVERY_MS = 20_000;
const MAX_PENDING = 100;

/**
 * One stream's v1 WebSocket session that survives drops: reconnects with
 * exponential backoff and jitter (or the server's `reconnect` hint), signs in
 * again, and resumes with `since` the newest seq it has passed on, so the page
 * gets no duplicate and no gap. Anything at or below that seq is dropped here.
 */
export class ChatConnection {
  readonly #url: string;
  readonly #stream: string;
  readonly #handlers: ConnectionHandlers;
  readonly #backoff: BackoffPolicy;
  #ws: WebSocket | null = null;
  #token: string | null = null;
  #lastSeq: number | undefined;
  #resuming = false;
  #attempt = 0;
  #serverHintMs: number | undefined;
  #awaitingPong = false;
  #pingTimer: number | undefined;
  #retryTimer: number | undefined;
  #nonce = 0;
  readonly #pending = new Map<string, (answer: Answer) => void>();

  constructor(url: string, stream: string, handlers: ConnectionHandlers, backoff: BackoffPolicy = DEFAULT_BACKOFF) {
    this.#url = url;
    this.#stream = stream;
    this.#handlers = handlers;
    this.#backoff = backoff;
  }

  start(token: string | null): void {
    this.#token = token;
    this.#connect();
  }

  /** Signs in on the open socket (and on every reconnect from now on). */
  setToken(token: string): void {
    this.#token = token;
    this.#sendRaw({ type: 'auth', token });
    // Joined again (a resume: nothing is shown twice), so `joined` brings the roles granted to this user.
    if (this.#lastSeq !== undefined) this.#join();
  }

  /** A fresh token of the same user, before the current one expires: no rejoin needed. */
  renewToken(token: string): void {
    this.#token = token;
    this.#sendRaw({ type: 'auth', token });
  }

  /** Sends a frame with a fresh nonce; resolves with its ack or error (`unavailable` when offline). */
  request(frame: Record<string, unknown>): Promise<Answer> {
    const ws = this.#ws;
    if (ws === null || ws.readyState !== WebSocket.OPEN) return Promise.resolve(offline('not connected: reconnecting'));
    if (this.#pending.size >= MAX_PENDING) return Promise.resolve(offline('too many requests waiting for an answer'));
    const nonce = `p${++this.#nonce}`;
    return new Promise((resolve) => {
      this.#pending.set(nonce, resolve);
      ws.send(JSON.stringify({ ...frame, stream: this.#stream, nonce }));
    });
  }

  #connect(): void {
    this.#handlers.status({ kind: 'connecting' });
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    ws.onopen = () => {
      if (this.#token !== null) this.#sendRaw({ type: 'auth', token: this.#token });
      this.#join();
      this.#pingTimer = window.setInterval(() => this.#ping(), PING_EVERY_MS);
    };
    ws.onmessage = (event) => {
      if (ws === this.#ws) this.#onFrame(JSON.parse(String(event.data)) as ServerFrame);
    };
    ws.onclose = (event) => {
      if (ws !== this.#ws) return;
      if (event.code === TOKEN_EXPIRED) {
        // Signing in again with it would be refused: reconnect as a reader.
        this.#token = null;
        this.#handlers.expired();
      }
      this.#lost();
    };
  }

  #join(): void {
    this.#resuming = this.#lastSeq !== undefined;
    this.#sendRaw(this.#resuming ? { type: 'join', stream: this.#stream, since: this.#lastSeq } : { type: 'join', stream: this.#stream });
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.#handlers.welcome(frame);
        return;
      case 'joined':
        if (frame.stream !== this.#stream) return;
        if (this.#resuming && frame.truncated === true) {
          // More was missed than a resume replays: start afresh from the newest lines.
          this.#lastSeq = undefined;
          this.#join();
          return;
        }
        this.#attempt = 0;
        this.#serverHintMs = undefined;
        this.#handlers.status({ kind: 'online' });
        this.#handlers.joined({ ...frame, history: this.#fresh(frame.history) }, this.#resuming);
        this.#lastSeq = Math.max(this.#lastSeq ?? 0, frame.seq);
        return;
      // A notice is a line with a seq of its own (a resume counts it), in a frame of its own.
      case 'msg':
      case 'notice': {
        const { type: _type, ...message } = frame;
        this.#deliver([message]);
        return;
      }
      case 'batch':
        if (frame.stream === this.#stream) this.#deliver(frame.msgs);
        return;
      case 'ack':
      case 'error': {
        const resolve = frame.nonce === undefined ? undefined : this.#pending.get(frame.nonce);
        if (resolve === undefined) {
          // The server refused the token signed in with (an auth frame has no nonce): reconnects read
          // anonymously until the user signs in again, rather than offer the refused token every time.
          if (frame.type === 'error' && frame.code === 'unauthorized' && frame.nonce === undefined) this.#token = null;
          this.#handlers.other(frame);
          return;
        }
        this.#pending.delete(frame.nonce!);
        resolve(frame);
        return;
      }
      case 'pong':
        this.#awaitingPong = false;
        return;
      case 'reconnect':
        this.#serverHintMs = frame.afterMs;
        return;
      default:
        this.#handlers.other(frame);
    }
  }

  #deliver(msgs: readonly Message[]): void {
    if (this.#lastSeq === undefined) return;
    const fresh = this.#fresh(msgs);
    if (fresh.length === 0) return;
    this.#lastSeq = fresh[fresh.length - 1]!.seq;
    this.#handlers.messages(fresh);
  }

  /** Lines newer than the last one passed on, in order. */
  #fresh(msgs: readonly Message[]): Message[] {
    const floor = this.#lastSeq ?? -1;
    return msgs.filter((m) => m.stream === this.#stream && m.seq > floor);
  }

  #ping(): void {
    if (this.#awaitingPong) {
      // No answer within a whole interval: the path is dead even if the socket says open.
      this.#ws?.close();
      this.#lost();
      return;
    }
    this.#awaitingPong = true;
    this.#sendRaw({ type: 'ping' });
  }

  #lost(): void {
    this.#ws = null;
    window.clearInterval(this.#pingTimer);
    this.#awaitingPong = false;
    for (const resolve of this.#pending.values()) resolve(offline('connection lost before an answer'));
    this.#pending.clear();
    const delay = this.#serverHintMs !== undefined ? afterServerHint(this.#serverHintMs) : backoffDelay(this.#attempt++, this.#backoff);
    this.#serverHintMs = undefined;
    this.#handlers.status({ kind: 'waiting', retryAt: Date.now() + delay });
    window.clearTimeout(this.#retryTimer);
    this.#retryTimer = window.setTimeout(() => this.#connect(), delay);
  }

  #sendRaw(frame: Record<string, unknown>): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(frame));
  }
}

function offline(message: string): Answer {
  return { type: 'error', code: 'unavailable', message };
}
