// A capacity plan for a deployment larger than one machine, computed from
// figures the benchmark measured (src/plan/measured-figures.ts). Pure
// arithmetic: every row says what it is derived from, so an operator can
// check it on paper.

export interface PlanInput {
  /** Viewers of the deployment, all streams together. */
  viewers: number;
  /** Messages per second offered, all streams together. */
  rate: number;
  /** Streams the viewers and messages spread over (evenly). */
  streams: number;
  /** Broadcast messages per second one stream is sampled down to (samplingThreshold). */
  samplingThreshold: number;
  /** Sockets one gateway process holds (maxConnections, under its open-files limit). */
  connectionsPerGateway: number;
  /** Gateway processes per node: one per core (`--workers`). */
  coresPerNode: number;
  /** Network a node can send, Gbit/s. */
  nicGbit: number;
  /** Share of a core a process is planned to use, leaving room for bursts. */
  utilisation: number;
}

export interface MeasuredFigures {
  /** Where they come from (benchmark runs), printed with the plan. */
  source: string;
  deliveriesPerGatewayCpuSecond: number;
  rssBytesPerViewer: number;
  bytesSentPerLine: number;
  /** Redis and Kafka CPU per accepted message (stamp, limits, state reads; append, replication not included). */
  redisCpuSecondsPerMessage: number;
  kafkaCpuSecondsPerMessage: number;
  /** The measured runs' size, to say how far a plan reaches beyond them. */
  measuredViewers: number;
  measuredRate: number;
  /** Gateways subscribed to the measured stream: the Redis fan-out inside redisCpuSecondsPerMessage. */
  measuredGateways: number;
}

export interface CapacityPlan {
  broadcastPerStream: number;
  deliveriesPerSec: number;
  gatewayCores: number;
  gateways: number;
  gatewaysLimitedBy: 'connections' | 'cpu';
  nodes: number;
  nodesLimitedBy: 'cores' | 'network';
  viewersPerNode: number;
  egressGbitPerNode: number;
  memoryGiBPerNode: number;
  /** Gateways with a viewer of a given stream (each gets the stream's lines from Redis). */
  subscribingGateways: number;
  /** Lines Redis pub/sub sends to gateways per second, all streams together. */
  redisFanoutPerSec: number;
  /** Lines one stream's channel sends to gateways per second, all from the one shard that holds it. */
  redisFanoutPerStreamPerSec: number;
  redisCores: number;
  redisShards: number;
  kafkaCores: number;
  kafkaPartitions: number;
  /** One gateway holds it all: the embedded server is enough. */
  oneProcessEnough: boolean;
  /** Where the plan reaches far beyond the measured runs. */
  warnings: string[];
}

// One Redis shard is one core (Redis runs commands on one thread).
const REDIS_CORE_PER_SHARD = 1;
// A stream is one Kafka partition (its seq order); a partition is planned for
// at most this many messages a second, which keeps a stream at its maximum
// accepted rate (maxStreamRate, 5,000) on one partition.
const MESSAGES_PER_PARTITION = 5_000;
// Fewer partitions than this leaves consumers of a group nothing to share.
const MIN_PARTITIONS = 3;
// Beyond this many times the measured runs, a plan is linear extrapolation
// more than measurement, and says so.
const EXTRAPOLATION_WARNING = 10;

export function planCapacity(input: PlanInput, figures: MeasuredFigures): CapacityPlan {
  const perStreamRate = input.rate / input.streams;
  const broadcastPerStream = Math.min(perStreamRate, input.samplingThreshold);
  const deliveriesPerSec = input.viewers * broadcastPerStream;
  const gatewayCores = deliveriesPerSec / figures.deliveriesPerGatewayCpuSecond;
  const byConnections = Math.ceil(input.viewers / input.connectionsPerGateway);
  const byCpu = Math.ceil(gatewayCores / input.utilisation);
  const gateways = Math.max(1, byConnections, byCpu);
  const egressGbit = (deliveriesPerSec * figures.bytesSentPerLine * 8) / 1e9;
  const byCores = Math.ceil(gateways / input.coresPerNode);
  const byNetwork = Math.ceil(egressGbit / (input.nicGbit * input.utilisation));
  const nodes = Math.max(byCores, byNetwork);
  const viewersPerNode = Math.ceil(input.viewers / nodes);
  // A stream's viewers land on gateways at random: the expected number of gateways holding at least one.
  const viewersPerStream = input.viewers / input.streams;
  const subscribingGateways = gateways * (1 - (1 - 1 / gateways) ** viewersPerStream);
  const redisCores = (input.rate * figures.redisCpuSecondsPerMessage) / input.utilisation;
  const kafkaCores = (input.rate * figures.kafkaCpuSecondsPerMessage) / input.utilisation;
  return {
    broadcastPerStream,
    deliveriesPerSec,
    gatewayCores,
    gateways,
    gatewaysLimitedBy: byCpu > byConnections ? 'cpu' : 'connections',
    nodes,
    nodesLimitedBy: byNetwork > byCores ? 'network' : 'cores',
    viewersPerNode,
    egressGbitPerNode: (viewersPerNode * broadcastPerStream * figures.bytesSentPerLine * 8) / 1e9,
    memoryGiBPerNode: (viewersPerNode * figures.rssBytesPerViewer) / 2 ** 30,
    subscribingGateways,
    redisFanoutPerSec: input.streams * broadcastPerStream * subscribingGateways,
    redisFanoutPerStreamPerSec: broadcastPerStream * subscribingGateways,
    redisCores,
    redisShards: Math.max(1, Math.ceil(redisCores / REDIS_CORE_PER_SHARD)),
    kafkaCores,
    kafkaPartitions: Math.max(MIN_PARTITIONS, Math.ceil(input.rate / MESSAGES_PER_PARTITION)),
    oneProcessEnough: gateways === 1,
    warnings: extrapolationWarnings(input, figures, subscribingGateways),
  };
}

function extrapolationWarnings(input: PlanInput, figures: MeasuredFigures, subscribingGateways: number): string[] {
  const warnings: string[] = [];
  const beyond = (asked: number, measured: number, what: string): void => {
    const factor = asked / measured;
    if (factor > EXTRAPOLATION_WARNING) warnings.push(`${what} is ${Math.round(factor).toLocaleString('en')}x the largest measured run (${measured.toLocaleString('en')}): this part of the plan is linear extrapolation, not measurement`);
  };
  beyond(input.viewers, figures.measuredViewers, `the audience (${input.viewers.toLocaleString('en')} viewers)`);
  beyond(input.rate, figures.measuredRate, `the offered rate (${input.rate.toLocaleString('en')} msg/s)`);
  // The measured Redis cost per message holds the fan-out to the measured
  // runs' gateways; its cost per subscribing gateway was not measured apart.
  beyond(Math.round(subscribingGateways), figures.measuredGateways, 'the Redis fan-out (gateways subscribed to one stream)');
  return warnings;
}
