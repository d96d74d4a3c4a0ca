// Messages between the harness and its load-generator processes (IPC).
import type { PortSlice } from './source-ports.ts';
import type { SecondRow } from './late-seconds.ts';

/** The wire a load worker speaks: Chorus's v1 JSON protocol, or Socket.IO for the socketio baseline. */
export type DialectName = 'chorus' | 'socketio';

/** Where viewers go: viewer i watches streams[i % streams.length] while i < coldViewers, else the hot stream. */
export interface Layout {
  streams: string[];
  coldViewers: number;
  hot: { stream: string; viewers: number } | undefined;
}

export interface Phase {
  seconds: number;
  /** Messages per second the chat group offers in this phase (all its streams together). */
  ratePerSecond: number;
  /** How many of the group's chatters send in this phase. */
  chatters: number;
}

/** A chatter: joins its streams (Chorus takes messages only from viewers of a stream) and sends to them in turn. */
export interface Chatter {
  url: string;
  token: string;
  streams: string[];
}

/** One worker's share of a group of chatters. */
export interface ChatGroup {
  /** `cold` lines are timed into the main histogram, `hot` ones apart (many-streams compares the two). */
  group: LatencyGroup;
  chatters: Chatter[];
  /** Rates and chatter counts already scaled to this worker's share. */
  phases: Phase[];
}

export type LatencyGroup = 'cold' | 'hot';

/** Viewers the worker adds and replaces after `go`: a join ramp, and churn. */
export interface ViewerSchedule {
  /** Viewers connected before `go`; the rest join evenly over rampSeconds after it. */
  initial: number;
  rampSeconds: number;
  /** Fraction of this worker's viewers replaced by new ones each minute. */
  churnPerMinute: number;
}

export interface WorkerPlan {
  dialect: DialectName;
  /** Gateway WebSocket URLs; viewer i goes to urls[i % length]. */
  urls: string[];
  layout: Layout;
  /** This worker's viewers, numbered from firstViewer (so recording and spreading are global). */
  viewers: number;
  firstViewer: number;
  schedule: ViewerSchedule;
  /** Loopback source addresses, used in turn. */
  localAddresses: string[];
  /** This worker's source ports (the same on every address; no other worker has them). */
  ports: PortSlice;
  /** Every recordEvery-th viewer records each line's latency. */
  recordEvery: number;
  /** History asked for at join. */
  history: number;
  /** Offer permessage-deflate on every socket (the server may decline). */
  deflate: boolean;
  chat: ChatGroup[];
  /** The worker exits by itself after this long, whatever happens. */
  deadlineMs: number;
  /** Report the id of every acknowledged line (the regions scenario checks each reached every region once). */
  keepAckedIds?: boolean;
}

/** Per stream: what the viewers' joins and leaves say about the lines they should have got. */
export interface StreamTally {
  /** Viewers of the stream connected at the end, and the sum of the seqs they joined at. */
  connected: number;
  joinedSeqSum: number;
  /** Seq span (leave seq - join seq) of viewers who left or were replaced during the run. */
  leftSpan: number;
  /** Newest seq any viewer of this worker saw, or any of its chatters had acknowledged. */
  maxSeq: number;
}

export interface GroupCounts {
  sent: number;
  acked: number;
  ackedBroadcast: number;
  /** Chat lines received by viewers of this group. */
  lines: number;
  /** HDR histogram, compressed base64. */
  latency: string;
  /** The same lines split at the server's stamp (`ts`): send to stamp, and stamp to display (HDR, compressed base64). */
  toStamp: string;
  fromStamp: string;
  /** The same lines per second of their sending: when in the run the late ones were sent (late-seconds.ts). */
  bySecond: SecondRow[];
}

export interface WorkerReport {
  peakConnected: number;
  connectedAtEnd: number;
  recordingViewers: number;
  groups: Record<LatencyGroup, GroupCounts>;
  streams: Record<string, StreamTally>;
  joinLatency: string;
  /** Send to ack, every chatter's every message (ingest: validate, limits, stamp, store). */
  ackLatency: string;
  joins: number;
  /** Bytes the viewers' sockets read after `go` (frames as sent, compressed or not), for bytes per line. */
  bytesReceived: number;
  errors: Record<string, number>;
  closes: Record<string, number>;
  /** With keepAckedIds: every acknowledged line's id. */
  ackedIds: string[];
}

export interface WorkerDone {
  type: 'done';
  report: WorkerReport;
}
