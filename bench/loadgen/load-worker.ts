// One load-generator process (started by bench/harness/load-fleet.ts with
// fork): connects its share of viewers from its own loopback source
// addresses and joins them; on `go` runs its chatters on the schedule, adds
// the viewers of a join ramp and replaces churned ones. Every line a
// recording viewer receives goes into an HDR histogram of send-to-display
// time; every viewer counts its lines. Bounded: it stops when told, or at its
// deadline, whichever comes first.
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { DIALECTS, errorCodeOf, firstSeq, Kind, lastSeq, nonceOf, numberAt, stampBefore, type Dialect } from './dialects.ts';
import type { ChatGroup, Chatter, GroupCounts, LatencyGroup, StreamTally, WorkerDone, WorkerPlan, WorkerReport } from './protocol.ts';
import { listeningPorts, SourcePorts } from './source-ports.ts';
import { LateSeconds } from './late-seconds.ts';

const CONNECT_CONCURRENCY = 200;
const CONNECT_TIMEOUT_MS = 15_000;
// A chatter must be there for the schedule: it gets longer (connect, auth and joins, while other workers still connect their viewers).
const CHATTER_READY_TIMEOUT_MS = 120_000;
const JOIN_ATTEMPTS = 5;
const JOIN_RETRY_MS = 1_000;
// A source port still held by a socket of this worker (the ports went round)
// or taken since the start refuses the connect before it reaches the server:
// the viewer tries the next port, this many times.
const SOURCE_PORT_ATTEMPTS = 3;
const SOURCE_PORT_REFUSALS: ReadonlySet<string> = new Set(['EADDRINUSE', 'EADDRNOTAVAIL']);
// Every chat line's text is "probe <nonce> t=<send time>" (user names cannot hold " t="): lines are counted and timed by that marker.
const MARKER = Buffer.from(' t=');

/** An error's errno code, or the HTTP status a refused upgrade answered with ("http 503"), for the error counts. */
function errorName(err: NodeJS.ErrnoException): string {
  const status = /Unexpected server response: (\d+)/.exec(err.message)?.[1];
  return err.code ?? (status === undefined ? 'other' : `http ${status}`);
}

const histogram = (): Histogram => build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });
/** The line id of an ack frame (`{"type":"ack","nonce":K,"id":"ID",...}`). */
function ackIdOf(data: Buffer): string {
  const start = data.indexOf('"id":"') + 6;
  return data.toString('latin1', start, data.indexOf('"', start));
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class GroupStats {
  readonly latency = histogram();
  readonly toStamp = histogram();
  readonly fromStamp = histogram();
  readonly late = new LateSeconds();
  sent = 0;
  acked = 0;
  ackedBroadcast = 0;
  lines = 0;

  counts(): GroupCounts {
    return {
      sent: this.sent, acked: this.acked, ackedBroadcast: this.ackedBroadcast, lines: this.lines,
      latency: encodeIntoCompressedBase64(this.latency),
      toStamp: encodeIntoCompressedBase64(this.toStamp),
      fromStamp: encodeIntoCompressedBase64(this.fromStamp),
      bySecond: this.late.rows(),
    };
  }

  /** One line of a recording viewer: send to display, and split at the server's stamp when the wire carries it. */
  record(sentAt: number, stampedAt: number, now: number): void {
    this.latency.recordValue(Math.max(1, now - sentAt));
    this.late.record(sentAt, now - sentAt);
    if (stampedAt < 0) return;
    this.toStamp.recordValue(Math.max(1, stampedAt - sentAt));
    this.fromStamp.recordValue(Math.max(1, now - stampedAt));
  }
}

interface Viewer {
  ws: WebSocket;
  /** Its TCP socket once upgraded, for the bytes it read. */
  socket: Socket | undefined;
  /** Global number: a churned viewer is replaced by a new one with the same number (same stream). */
  index: number;
  stream: string;
  /** Closed by the load generator itself (churn): not an error. */
  leaving: boolean;
  /** The seq `joined` named; -1 until then. */
  joinedSeq: number;
}

// Send times are kept by nonce in a ring per chatter: a chatter never has this many sends unanswered.
const SENT_RING_MASK = 4_095;

class Load {
  readonly plan: WorkerPlan;
  readonly dialect: Dialect;
  readonly ports: SourcePorts;
  readonly joinLatency = histogram();
  readonly ackLatency = histogram();
  /** Each chatter's send times, for send-to-ack. */
  readonly sentAt = new Map<WebSocket, Float64Array>();
  readonly groups: Record<LatencyGroup, GroupStats> = { cold: new GroupStats(), hot: new GroupStats() };
  readonly streams = new Map<string, StreamTally>();
  readonly errors: Record<string, number> = {};
  readonly closes: Record<string, number> = {};
  readonly viewers = new Set<Viewer>();
  readonly chatterSockets: WebSocket[] = [];
  readonly ackedIds: string[] = [];
  joins = 0;
  /** Bytes read by viewers already gone, and by every viewer before `go` (taken off at the end). */
  bytesOfGone = 0;
  bytesBeforeGo = 0;
  connected = 0;
  peakConnected = 0;
  stopping = false;

  constructor(plan: WorkerPlan) {
    this.plan = plan;
    this.dialect = DIALECTS[plan.dialect];
    this.ports = new SourcePorts(plan.ports, listeningPorts());
  }

  /** A new WebSocket from `localAddress` and the next source port of this worker's slice for it. */
  connect(url: string, localAddress: string): WebSocket {
    return new WebSocket(this.dialect.url(url), {
      localAddress,
      localPort: this.ports.take(localAddress),
      perMessageDeflate: this.plan.deflate,
      skipUTF8Validation: true,
    });
  }

  count(table: Record<string, number>, key: string): void {
    table[key] = (table[key] ?? 0) + 1;
  }

  tally(stream: string): StreamTally {
    let t = this.streams.get(stream);
    if (t === undefined) this.streams.set(stream, (t = { connected: 0, joinedSeqSum: 0, leftSpan: 0, maxSeq: 0 }));
    return t;
  }

  /** Opens viewer `i` (global number): its stream, gateway and source address follow from the number. */
  openViewer(i: number, portAttempt = 1): Promise<void> {
    const { plan, dialect } = this;
    const { layout } = plan;
    const cold = i < layout.coldViewers;
    const stream = cold ? layout.streams[i % layout.streams.length]! : layout.hot!.stream;
    const stats = this.groups[cold ? 'cold' : 'hot'];
    const tally = this.tally(stream);
    const records = i % plan.recordEvery === 0;
    const ws = this.connect(plan.urls[i % plan.urls.length]!, plan.localAddresses[i % plan.localAddresses.length]!);
    const viewer: Viewer = { ws, socket: undefined, index: i, stream, leaving: false, joinedSeq: -1 };
    this.viewers.add(viewer);
    ws.once('upgrade', (response) => {
      viewer.socket = response.socket as Socket;
    });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.count(this.errors, 'connect_timeout');
        ws.terminate();
      }, CONNECT_TIMEOUT_MS);
      let open = false;
      let portRefused = false;
      let joinSentAt = 0;
      let attempts = 0;
      const join = (): void => {
        attempts++;
        joinSentAt = performance.now();
        ws.send(dialect.join(stream, plan.history));
      };
      ws.on('open', () => {
        open = true;
        this.connected++;
        this.peakConnected = Math.max(this.peakConnected, this.connected);
        if (dialect.readyOnOpen) join();
      });
      ws.on('message', (data: Buffer) => {
        switch (dialect.classify(data)) {
          case Kind.Lines: {
            let lines = 0;
            const now = Date.now();
            for (let at = data.indexOf(MARKER); at !== -1; at = data.indexOf(MARKER, at + 3)) {
              lines++;
              if (records) stats.record(numberAt(data, at + 3), stampBefore(data, at), now);
            }
            stats.lines += lines;
            const seq = lastSeq(data);
            if (seq > tally.maxSeq) tally.maxSeq = seq;
            return;
          }
          case Kind.Joined:
            clearTimeout(timer);
            this.joins++;
            this.joinLatency.recordValue(Math.max(1, Math.round(performance.now() - joinSentAt)));
            viewer.joinedSeq = firstSeq(data);
            if (viewer.joinedSeq > tally.maxSeq) tally.maxSeq = viewer.joinedSeq;
            tally.connected++;
            tally.joinedSeqSum += viewer.joinedSeq;
            resolve();
            return;
          case Kind.Ready:
            join();
            return;
          case Kind.Reply:
            ws.send(dialect.reply(data));
            return;
          case Kind.Error:
            this.count(this.errors, errorCodeOf(data));
            // A refused join is tried again a moment later, as a client would (the error is still counted).
            if (viewer.joinedSeq < 0 && attempts < JOIN_ATTEMPTS) setTimeout(() => ws.readyState === WebSocket.OPEN && join(), JOIN_RETRY_MS);
            return;
        }
      });
      ws.on('close', (code) => {
        clearTimeout(timer);
        if (portRefused) {
          this.viewers.delete(viewer);
          resolve(this.openViewer(i, portAttempt + 1));
          return;
        }
        if (open) this.connected--;
        this.bytesOfGone += viewer.socket?.bytesRead ?? 0;
        if (!this.stopping && !viewer.leaving) this.count(this.closes, String(code));
        this.#forget(viewer, tally);
        resolve();
      });
      ws.on('error', (err: NodeJS.ErrnoException) => {
        // Refused here, before any packet: not the server's doing, so tried again from the next port.
        if (!open && !this.stopping && SOURCE_PORT_REFUSALS.has(err.code ?? '') && portAttempt < SOURCE_PORT_ATTEMPTS) {
          portRefused = true;
          return;
        }
        this.count(this.errors, open ? 'socket_error' : `connect_error ${errorName(err)}`);
      });
    });
  }

  /** A viewer gone (closed by either side) stops expecting lines: its span so far is what it should have had. */
  #forget(viewer: Viewer, tally: StreamTally): void {
    if (!this.viewers.delete(viewer) || viewer.joinedSeq < 0 || this.stopping) return;
    tally.connected--;
    tally.joinedSeqSum -= viewer.joinedSeq;
    tally.leftSpan += Math.max(0, tally.maxSeq - viewer.joinedSeq);
  }

  /** Opens viewers first..first+count-1, a bounded number at a time. */
  async connectRange(first: number, count: number): Promise<void> {
    let next = 0;
    const lanes = Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, async () => {
      while (next < count && !this.stopping) await this.openViewer(first + next++);
    });
    await Promise.all(lanes);
  }

  /** After `go`: the rest of the viewers join evenly over the ramp. */
  async ramp(): Promise<void> {
    const { viewers, firstViewer, schedule } = this.plan;
    const toAdd = viewers - schedule.initial;
    if (toAdd <= 0) return;
    const started = performance.now();
    const opening: Array<Promise<void>> = [];
    for (let k = 0; k < toAdd && !this.stopping; k++) {
      const wait = started + (k * schedule.rampSeconds * 1000) / toAdd - performance.now();
      if (wait > 1) await sleep(wait);
      opening.push(this.openViewer(firstViewer + schedule.initial + k));
    }
    await Promise.all(opening);
  }

  /** After `go`: every so often one viewer leaves and a new one with the same number (same stream) joins. */
  async churn(untilMs: number): Promise<void> {
    const perMinute = this.plan.viewers * this.plan.schedule.churnPerMinute;
    if (perMinute <= 0) return;
    const everyMs = 60_000 / perMinute;
    const started = performance.now();
    const replacing: Array<Promise<void>> = [];
    for (let k = 1; started + k * everyMs < untilMs && !this.stopping; k++) {
      await sleep(started + k * everyMs - performance.now());
      const leaving = [...this.viewers][Math.floor(Math.random() * this.viewers.size)];
      if (leaving === undefined) continue;
      leaving.leaving = true;
      leaving.ws.close(1000);
      replacing.push(this.openViewer(leaving.index));
    }
    await Promise.all(replacing);
  }

  /** Chatters send on the schedule: each phase's rate spread evenly over its active chatters, each sending to its streams in turn. */
  async chat(group: ChatGroup, sockets: WebSocket[]): Promise<void> {
    if (sockets.length === 0) return;
    const stats = this.groups[group.group];
    // A chatter's k-th message goes to its streams[k % length] with nonce k, so its ack names the stream.
    const sentBy = new Uint32Array(sockets.length);
    let phaseStart = performance.now();
    for (const phase of group.phases) {
      const total = Math.round(phase.seconds * phase.ratePerSecond);
      const active = Math.max(1, Math.min(phase.chatters, sockets.length));
      for (let k = 0; k < total && !this.stopping; k++) {
        const wait = phaseStart + (k * 1000) / phase.ratePerSecond - performance.now();
        if (wait > 1) await sleep(wait);
        const c = k % active;
        const ws = sockets[c]!;
        if (ws.readyState !== WebSocket.OPEN) continue;
        const { streams } = group.chatters[c]!;
        const nonce = sentBy[c]!++;
        this.sentAt.get(ws)![nonce & SENT_RING_MASK] = performance.now();
        ws.send(this.dialect.send(streams[nonce % streams.length]!, `probe ${nonce} t=${Date.now()}`, nonce));
        stats.sent++;
      }
      phaseStart += phase.seconds * 1000;
    }
    // Answers still due arrive within a moment.
    await sleep(1_000);
    for (const ws of sockets) ws.close();
  }

  openChatter(chatter: Chatter, group: ChatGroup, localAddress: string): Promise<WebSocket> {
    const { dialect } = this;
    const stats = this.groups[group.group];
    const ws = this.connect(chatter.url, localAddress);
    this.chatterSockets.push(ws);
    const sent = new Float64Array(SENT_RING_MASK + 1);
    this.sentAt.set(ws, sent);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a chatter was not ready within ${CHATTER_READY_TIMEOUT_MS} ms (${joins} of ${chatter.streams.length} joins answered; errors so far ${JSON.stringify(this.errors)})`)), CHATTER_READY_TIMEOUT_MS);
      // Streams are joined one after the other, so a refused join is known and tried again.
      let joins = 0;
      let attempts = 0;
      const joinNext = (): void => {
        attempts++;
        ws.send(dialect.join(chatter.streams[joins]!, 0));
      };
      const ready = (): void => {
        const auth = dialect.auth(chatter.token);
        if (auth !== undefined) ws.send(auth);
        joinNext();
      };
      ws.once('error', reject);
      ws.on('open', () => {
        if (dialect.readyOnOpen) ready();
      });
      ws.on('message', (data: Buffer) => {
        switch (dialect.classify(data)) {
          case Kind.Ready:
            ready();
            return;
          case Kind.Reply:
            ws.send(dialect.reply(data));
            return;
          case Kind.Joined:
            attempts = 0;
            if (++joins < chatter.streams.length) {
              joinNext();
              return;
            }
            clearTimeout(timer);
            resolve(ws);
            return;
          case Kind.Ack: {
            stats.acked++;
            if (data.includes('"sampled":false')) stats.ackedBroadcast++;
            const nonce = nonceOf(data);
            this.ackLatency.recordValue(Math.max(1, Math.round(performance.now() - sent[nonce & SENT_RING_MASK]!)));
            const tally = this.tally(chatter.streams[nonce % chatter.streams.length]!);
            tally.maxSeq = Math.max(tally.maxSeq, firstSeq(data));
            if (this.plan.keepAckedIds) this.ackedIds.push(ackIdOf(data));
            return;
          }
          case Kind.Error:
            this.count(this.errors, errorCodeOf(data));
            if (joins < chatter.streams.length && attempts < JOIN_ATTEMPTS) setTimeout(() => ws.readyState === WebSocket.OPEN && joinNext(), JOIN_RETRY_MS);
            return;
        }
      });
    });
  }

  /** Before `go`: the first viewers, then every chatter signed in and joined, a bounded number at a time. */
  async prepare(): Promise<WebSocket[][]> {
    await this.connectRange(this.plan.firstViewer, this.plan.schedule.initial);
    const groups: WebSocket[][] = [];
    for (const group of this.plan.chat) {
      const sockets: WebSocket[] = [];
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, group.chatters.length) }, async () => {
        while (next < group.chatters.length) {
          const i = next++;
          sockets[i] = await this.openChatter(group.chatters[i]!, group, this.plan.localAddresses[i % this.plan.localAddresses.length]!);
        }
      }));
      groups.push(sockets);
    }
    return groups;
  }

  async run(chatters: WebSocket[][]): Promise<void> {
    this.bytesBeforeGo = this.bytesRead();
    const scheduleMs = Math.max(0, ...this.plan.chat.map((g) => g.phases.reduce((total, p) => total + p.seconds * 1000, 0)));
    await Promise.all([...this.plan.chat.map((group, g) => this.chat(group, chatters[g]!)), this.ramp(), this.churn(performance.now() + scheduleMs)]);
  }

  /** Bytes every viewer of this worker has read so far, gone ones included. */
  bytesRead(): number {
    let bytes = this.bytesOfGone;
    for (const viewer of this.viewers) bytes += viewer.socket?.bytesRead ?? 0;
    return bytes;
  }

  report(): WorkerReport {
    return {
      peakConnected: this.peakConnected,
      connectedAtEnd: this.connected,
      recordingViewers: Math.ceil(this.plan.viewers / this.plan.recordEvery),
      groups: { cold: this.groups.cold.counts(), hot: this.groups.hot.counts() },
      streams: Object.fromEntries(this.streams),
      joinLatency: encodeIntoCompressedBase64(this.joinLatency),
      ackLatency: encodeIntoCompressedBase64(this.ackLatency),
      joins: this.joins,
      bytesReceived: this.bytesRead() - this.bytesBeforeGo,
      errors: this.errors,
      closes: this.closes,
      ackedIds: this.ackedIds,
    };
  }

  stop(): void {
    this.stopping = true;
    for (const viewer of this.viewers) viewer.ws.terminate();
    for (const ws of this.chatterSockets) ws.terminate();
  }
}

let load: Load | undefined;
let chatters: Promise<WebSocket[][]> | undefined;
process.on('message', (message: { type: 'plan'; plan: WorkerPlan } | { type: 'go' } | { type: 'stop' }) => {
  if (message.type === 'plan') {
    load = new Load(message.plan);
    const deadline = setTimeout(() => process.exit(3), message.plan.deadlineMs);
    deadline.unref();
    chatters = load.prepare();
    chatters.then(() => process.send!({ type: 'connected', connected: load!.connected }), (err: unknown) => {
      console.error('load worker:', err);
      process.exit(4);
    });
  } else if (message.type === 'go') {
    chatters!.then((sockets) => load!.run(sockets)).then(() => process.send!({ type: 'sent' }), (err: unknown) => {
      console.error('load worker:', err);
      process.exit(4);
    });
  } else {
    const done: WorkerDone = { type: 'done', report: load!.report() };
    load!.stop();
    process.send!(done, () => process.exit(0));
  }
});
