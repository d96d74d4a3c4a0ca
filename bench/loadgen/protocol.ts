// Messages between the harness and its load-generator processes (IPC).

export interface Phase {
  seconds: number;
  /** Messages per second offered by this worker's senders together. */
  ratePerSecond: number;
}

export interface WorkerPlan {
  /** Gateway WebSocket URLs; viewer i goes to urls[i % length]. */
  urls: string[];
  stream: string;
  /** This worker's viewers, numbered from firstViewer (so recording and spreading are global). */
  viewers: number;
  firstViewer: number;
  /** Loopback source addresses, used in turn (about 28,000 ports each per destination). */
  localAddresses: string[];
  /** Every recordEvery-th viewer records each line's latency. */
  recordEvery: number;
  /** History asked for at join. */
  history: number;
  senders: Array<{ url: string; token: string }>;
  phases: Phase[];
  /** The worker exits by itself after this long, whatever happens. */
  deadlineMs: number;
}

export interface WorkerReport {
  peakConnected: number;
  connectedAtEnd: number;
  /** Chat lines received by all this worker's viewers. */
  lines: number;
  recordingViewers: number;
  /** HDR histograms, compressed base64. */
  latency: string;
  joinLatency: string;
  sent: number;
  acked: number;
  ackedBroadcast: number;
  errors: Record<string, number>;
  closes: Record<string, number>;
}

export interface WorkerDone {
  type: 'done';
  report: WorkerReport;
}
