// Chat flowing through a cluster while a fault test breaks something: senders
// that keep sending and record every answer, and viewers that reconnect and
// resume with `since` whenever their connection drops, recording every line.
import { TestClient, type Frame } from './ws-client.ts';

export interface SendResult {
  id?: string;
  seq?: number;
  code?: string;
  /** When the send was written, and how long its answer took (ms). */
  at: number;
  answerMs: number;
}

/** Sends one line every `everyMs` until stopped (bounded by `maxMs`), recording acks and refusals. */
export class Sender {
  readonly results: SendResult[] = [];
  readonly client: TestClient;
  readonly stream: string;
  readonly label: string;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(client: TestClient, stream: string, label: string) {
    this.client = client;
    this.stream = stream;
    this.label = label;
  }

  start(everyMs: number, maxMs: number): void {
    const deadline = Date.now() + maxMs;
    this.#loop = (async () => {
      for (let n = 0; !this.#stopped && Date.now() < deadline; n++) {
        await this.sendOne(`${this.label} ${n}`);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    })();
  }

  async sendOne(text: string): Promise<SendResult> {
    const at = Date.now();
    const answer = await this.client.request({ type: 'send', stream: this.stream, text }).catch((err: Error) => ({ type: 'error', code: `no answer: ${err.message}` }) as Frame);
    const result: SendResult = answer.type === 'ack' ? { id: answer.id, seq: answer.seq, at, answerMs: Date.now() - at } : { code: answer.code, at, answerMs: Date.now() - at };
    this.results.push(result);
    return result;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  acked(): SendResult[] {
    return this.results.filter((r) => r.id !== undefined);
  }
}

/** A viewer that, like the web page, reconnects after a drop and resumes after the last seq it saw. */
export class ResumingViewer {
  /** Every line received, history and live, in arrival order. */
  readonly lines: Frame[] = [];
  /** Ids retracted while watching. */
  readonly retracted = new Set<string>();
  reconnects = 0;
  /** When each `joined` arrived (ms since epoch): the first join, then each resume. */
  readonly joinedAt: number[] = [];
  #client: TestClient | undefined;
  #closed = false;
  #lastSeq = 0;
  readonly url: string;
  readonly stream: string;

  private constructor(url: string, stream: string) {
    this.url = url;
    this.stream = stream;
  }

  static async open(url: string, stream: string): Promise<ResumingViewer> {
    const viewer = new ResumingViewer(url, stream);
    await viewer.#connect(undefined);
    return viewer;
  }

  lastSeq(): number {
    return this.#lastSeq;
  }

  close(): void {
    this.#closed = true;
    this.#client?.close();
  }

  async #connect(since: number | undefined): Promise<void> {
    const client = await TestClient.connect(this.url);
    this.#client = client;
    client.ws.on('message', (data) => this.#take(JSON.parse(data.toString()) as Frame));
    client.send({ type: 'join', stream: this.stream, history: 0, since });
    void client.closed.then(() => this.#reconnect());
  }

  #take(frame: Frame): void {
    if (frame.stream !== this.stream) return;
    const lines = frame.type === 'joined' ? frame.history : frame.type === 'msg' ? [frame] : frame.type === 'batch' ? frame.msgs : [];
    for (const line of lines as Frame[]) {
      this.lines.push(line);
      this.#lastSeq = Math.max(this.#lastSeq, line.seq as number);
    }
    if (frame.type === 'joined') {
      this.#lastSeq = Math.max(this.#lastSeq, frame.seq as number);
      this.joinedAt.push(Date.now());
    }
    if (frame.type === 'retract') for (const id of frame.ids as string[]) this.retracted.add(id);
  }

  /** Retries every 100 ms for up to 30 s (through the load balancer, another gateway answers). */
  async #reconnect(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!this.#closed && Date.now() < deadline) {
      try {
        this.reconnects++;
        await this.#connect(this.#lastSeq);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}

/** What a fault test asserts of each viewer: no line twice, seqs increasing, and every acknowledged line seen unless retracted. */
export function viewerProblems(viewer: ResumingViewer, acked: SendResult[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  let previous = 0;
  for (const line of viewer.lines) {
    if (seen.has(line.id)) problems.push(`duplicate ${line.id} (seq ${line.seq})`);
    seen.add(line.id);
    if (line.seq <= previous) problems.push(`seq ${line.seq} after ${previous}`);
    previous = Math.max(previous, line.seq);
  }
  for (const ack of acked) {
    if (!seen.has(ack.id!) && !viewer.retracted.has(ack.id!)) problems.push(`acknowledged ${ack.id} (seq ${ack.seq}) never shown`);
  }
  return problems;
}
