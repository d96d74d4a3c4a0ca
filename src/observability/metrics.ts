import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every Prometheus metric of one server; one registry per server, never the global one. */
export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'chorus_connections', help: 'Open WebSocket and SSE connections', labelNames: ['transport'] as const, registers: [this.registry] });
  readonly accepted = new Counter({ name: 'chorus_messages_accepted_total', help: 'Messages accepted', registers: [this.registry] });
  readonly broadcast = new Counter({ name: 'chorus_messages_broadcast_total', help: 'Accepted messages published to viewers (not sampled out)', registers: [this.registry] });
  readonly refused = new Counter({ name: 'chorus_messages_refused_total', help: 'Sends refused, by error code; an overloaded one also by the limit that shed it (shed_by)', labelNames: ['code', 'shed_by'] as const, registers: [this.registry] });
  readonly deliveries = new Counter({ name: 'chorus_deliveries_total', help: 'Chat lines written to viewer connections', registers: [this.registry] });
  readonly framesWritten = new Counter({ name: 'chorus_frames_written_total', help: 'Live frames written to viewer connections', registers: [this.registry] });
  readonly fanoutWrites = new Counter({ name: 'chorus_fanout_writes_total', help: 'Writes of live flushes to viewer connections: one per viewer per flush, whatever frames the flush holds (the cost a fan-out economises)', registers: [this.registry] });
  readonly fanoutDropped = new Counter({ name: 'chorus_fanout_dropped_total', help: 'Live lines a gateway dropped for its viewers because the stream already had MAX_PENDING events waiting (a stalled fan-out)', registers: [this.registry] });
  readonly slowConsumerDrops = new Counter({ name: 'chorus_slow_consumer_drops_total', help: 'Viewers disconnected for not reading (close 4008)', registers: [this.registry] });
  readonly connectionsRefused = new Counter({ name: 'chorus_connections_refused_total', help: 'Connections refused or closed by a connection limit: full (maxConnections), address (maxConnectionsPerIp), user (maxConnectionsPerUser), origin (allowedOrigins), idle (anonymousIdleMs)', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly abuseCloses = new Counter({ name: 'chorus_abuse_closes_total', help: 'Connections closed for repeated abuse (1008)', registers: [this.registry] });
  readonly batchSize = new Histogram({
    name: 'chorus_batch_size',
    help: 'Messages per live frame',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });
  readonly ingestLatency = new Histogram({
    name: 'chorus_ingest_latency_seconds',
    help: 'From a send arriving to its acknowledgement',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly fanoutDelay = new Histogram({
    name: 'chorus_fanout_delay_seconds',
    help: 'Per live flush: how long its oldest line waited on this gateway, from its stamp (a line of another region, or held for global order: from its arrival) to written to every viewer',
    // Fine where the goals are (a local line's 50 ms, a second under load), so a bench can read p99 off them.
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30],
    registers: [this.registry],
  });
  readonly samplingStreams = new Gauge({ name: 'chorus_sampling_streams', help: 'Streams currently sampled', registers: [this.registry] });

  // Consumers of the log (lifecycle step 9). Labels stay bounded: a fixed set of groups, and only the busiest streams.
  readonly #lagSources = new Map<string, () => Promise<number>>();
  #busiestStreams: () => Array<{ stream: string; lastMinute: number }> = () => [];
  readonly consumerLag = new Gauge({
    name: 'chorus_consumer_lag',
    help: 'Messages in the log that a consumer group has not committed yet',
    labelNames: ['group'] as const,
    registers: [this.registry],
    collect: async () => {
      for (const [group, lag] of this.#lagSources) this.consumerLag.set({ group }, await lag().catch(() => Number.NaN));
    },
  });
  readonly classifierChecks = new Counter({
    name: 'chorus_classifier_checks_total',
    help: 'Classifier checks of delivered messages, by outcome (clean, flagged, error, timeout)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly streamMessagesLastMinute = new Gauge({
    name: 'chorus_stream_messages_last_minute',
    help: 'Messages in the last full minute, for the 10 busiest streams only',
    labelNames: ['stream'] as const,
    registers: [this.registry],
    collect: () => {
      this.streamMessagesLastMinute.reset();
      for (const { stream, lastMinute } of this.#busiestStreams()) this.streamMessagesLastMinute.set({ stream }, lastMinute);
    },
  });
  #doorShed: () => number = () => 0;
  readonly sendDoorShed: Gauge = new Gauge({
    name: 'chorus_send_door_shed',
    help: 'Share of ordinary sends the door by send latency refuses now (0 to 0.9; src/limits/latency-door.ts)',
    registers: [this.registry],
    collect: (): void => {
      this.sendDoorShed.set(this.#doorShed());
    },
  });
  readonly reportsReceived = new Counter({ name: 'chorus_reports_received_total', help: 'Viewer reports stored for moderators', registers: [this.registry] });

  watchConsumerLag(group: string, lag: () => Promise<number>): void {
    this.#lagSources.set(group, lag);
  }

  watchSendDoor(shed: () => number): void {
    this.#doorShed = shed;
  }

  watchBusiestStreams(source: () => Array<{ stream: string; lastMinute: number }>): void {
    this.#busiestStreams = source;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
