// One load-generator process (started by bench/harness/load-fleet.ts with
// fork): connects its share of viewers from its own loopback source
// addresses, joins them, and on `go` runs its senders on the schedule. Every
// line a recording viewer receives goes into an HDR histogram of
// send-to-display time; every viewer counts its lines. Bounded: it stops
// when told, or at its deadline, whichever comes first.
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import WebSocket from 'ws';
import type { WorkerDone, WorkerPlan, WorkerReport } from './protocol.ts';

const CONNECT_CONCURRENCY = 200;
const CONNECT_TIMEOUT_MS = 15_000;

const histogram = (): Histogram => build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });

class Load {
  readonly plan: WorkerPlan;
  readonly latency = histogram();
  readonly joinLatency = histogram();
  readonly errors: Record<string, number> = {};
  readonly closes: Record<string, number> = {};
  readonly sockets: WebSocket[] = [];
  lines = 0;
  connected = 0;
  peakConnected = 0;
  acked = 0;
  ackedBroadcast = 0;
  sent = 0;
  stopping = false;

  constructor(plan: WorkerPlan) {
    this.plan = plan;
  }

  count(table: Record<string, number>, key: string): void {
    table[key] = (table[key] ?? 0) + 1;
  }

  /** Opens viewer `i`: its gateway and source address by turns, recording latency if its number says so. */
  openViewer(i: number): Promise<void> {
    const plan = this.plan;
    const url = plan.urls[i % plan.urls.length]!;
    const localAddress = plan.localAddresses[i % plan.localAddresses.length]!;
    const records = i % plan.recordEvery === 0;
    return new Promise((resolve) => {
      const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
      const timer = setTimeout(() => {
        this.count(this.errors, 'connect_timeout');
        ws.terminate();
        resolve();
      }, CONNECT_TIMEOUT_MS);
      let joinSentAt = 0;
      let open = false;
      ws.on('open', () => {
        open = true;
        this.connected++;
        this.peakConnected = Math.max(this.peakConnected, this.connected);
        joinSentAt = performance.now();
        ws.send(JSON.stringify({ type: 'join', stream: plan.stream, history: plan.history }));
      });
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        // Cheap prefilter: only chat and join frames matter here, and a record needs only the timestamps.
        if (text.startsWith('{"type":"joined"')) {
          this.joinLatency.recordValue(Math.max(1, Math.round(performance.now() - joinSentAt)));
          clearTimeout(timer);
          resolve();
          return;
        }
        if (text.startsWith('{"type":"error"')) {
          this.count(this.errors, (JSON.parse(text) as { code: string }).code);
          return;
        }
        this.take(text, records);
      });
      ws.on('close', (code) => {
        if (open) this.connected--;
        if (!this.stopping) this.count(this.closes, String(code));
        clearTimeout(timer);
        resolve();
      });
      ws.on('error', () => this.count(this.errors, open ? 'socket_error' : 'connect_error'));
      this.sockets.push(ws);
    });
  }

  /** Counts the lines of a msg or batch frame; a recording viewer also records each line's age. */
  take(text: string, records: boolean): void {
    if (!text.startsWith('{"type":"msg"') && !text.startsWith('{"type":"batch"')) return;
    const now = Date.now();
    // Every line's text is "probe <n> t=<ms>" (user names cannot hold " t="): count and time them by that marker.
    for (let at = text.indexOf(' t='); at !== -1; at = text.indexOf(' t=', at + 3)) {
      this.lines++;
      if (records) this.latency.recordValue(Math.max(1, now - Number(text.slice(at + 3, at + 16))));
    }
  }

  async connectAll(): Promise<void> {
    let next = 0;
    const lanes = Array.from({ length: Math.min(CONNECT_CONCURRENCY, this.plan.viewers) }, async () => {
      while (next < this.plan.viewers && !this.stopping) await this.openViewer(this.plan.firstViewer + next++);
    });
    await Promise.all(lanes);
  }

  /** Senders send on the schedule: each phase's rate, spread evenly over its senders. */
  async send(): Promise<void> {
    const { senders, phases } = this.plan;
    if (senders.length === 0) return;
    const sockets = await Promise.all(senders.map((sender) => this.openSender(sender.url, sender.token)));
    let n = 0;
    const started = performance.now();
    let phaseStart = started;
    for (const phase of phases) {
      const total = Math.round(phase.seconds * phase.ratePerSecond);
      for (let k = 0; k < total && !this.stopping; k++) {
        const due = phaseStart + (k * 1000) / phase.ratePerSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const ws = sockets[n % sockets.length]!;
        if (ws.readyState === WebSocket.OPEN) {
          ws.send(JSON.stringify({ type: 'send', stream: this.plan.stream, text: `probe ${n} t=${Date.now()}`, nonce: n }));
          this.sent++;
        }
        n++;
      }
      phaseStart += phase.seconds * 1000;
    }
    // Answers still due arrive within a moment.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const ws of sockets) ws.close();
  }

  openSender(url: string, token: string): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { localAddress: this.plan.localAddresses[0], perMessageDeflate: false });
      ws.once('error', reject);
      ws.on('open', () => {
        ws.send(JSON.stringify({ type: 'auth', token }));
        ws.send(JSON.stringify({ type: 'join', stream: this.plan.stream, history: 0 }));
        resolve(ws);
      });
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        if (text.startsWith('{"type":"ack"')) {
          this.acked++;
          if (text.includes('"sampled":false')) this.ackedBroadcast++;
        } else if (text.startsWith('{"type":"error"')) {
          this.count(this.errors, (JSON.parse(text) as { code: string }).code);
        }
      });
    });
  }

  report(): WorkerReport {
    return {
      peakConnected: this.peakConnected,
      connectedAtEnd: this.connected,
      lines: this.lines,
      recordingViewers: Math.ceil(this.plan.viewers / this.plan.recordEvery),
      latency: encodeIntoCompressedBase64(this.latency),
      joinLatency: encodeIntoCompressedBase64(this.joinLatency),
      sent: this.sent,
      acked: this.acked,
      ackedBroadcast: this.ackedBroadcast,
      errors: this.errors,
      closes: this.closes,
    };
  }

  stop(): void {
    this.stopping = true;
    for (const ws of this.sockets) ws.terminate();
  }
}

let load: Load | undefined;
process.on('message', (message: { type: 'plan'; plan: WorkerPlan } | { type: 'go' } | { type: 'stop' }) => {
  if (message.type === 'plan') {
    load = new Load(message.plan);
    const deadline = setTimeout(() => process.exit(3), message.plan.deadlineMs);
    deadline.unref();
    void load.connectAll().then(() => process.send!({ type: 'connected', connected: load!.connected }));
  } else if (message.type === 'go') {
    void load!.send().then(() => process.send!({ type: 'sent' }));
  } else {
    const done: WorkerDone = { type: 'done', report: load!.report() };
    load!.stop();
    process.send!(done, () => process.exit(0));
  }
});
