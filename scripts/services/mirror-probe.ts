// Readiness of the mirrors, end to end: a marker written to each region's
// probe topic must show up as `<region>.<probe topic>` in every peer region.
import { randomUUID } from 'node:crypto';
import { Producer } from '@platformatic/kafka';
import { ensureTopic } from '../../src/log/kafka/topics.ts';
import { TopicReader } from '../../src/log/kafka/topic-reader.ts';

/** Matches the mirrored topic pattern (chorus.*), so it travels like the chat's own topics. */
export const PROBE_TOPIC = 'chorus.services-probe';
const REQUEST_TIMEOUT_MS = 3000;

export interface ProbedFlow {
  source: string;
  target: string;
  /** The source region's broker, reached locally (markers are written there). */
  sourceBrokers: string;
  /** The target region's broker, reached locally (the mirrored topic is read there). */
  targetBrokers: string;
}

export function ensureProbeTopic(brokers: string): Promise<number> {
  return ensureTopic({ brokers: [brokers], topic: PROBE_TOPIC, partitions: 1, replicas: 1, configs: { 'retention.ms': String(3_600_000) } });
}

/** One round: true when every flow carried a fresh marker within `timeoutMs`. */
export async function flowsReplicate(flows: readonly ProbedFlow[], timeoutMs: number): Promise<boolean> {
  const marker = Buffer.from(`probe-${randomUUID()}`);
  const sources = [...new Set(flows.map((flow) => flow.sourceBrokers))];
  try {
    await Promise.all(sources.map((brokers) => writeMarker(brokers, marker)));
  } catch {
    return false;
  }
  const deadline = Date.now() + timeoutMs;
  const seen = await Promise.all(flows.map((flow) => markerArrives(flow, marker, deadline)));
  return seen.every(Boolean);
}

async function writeMarker(brokers: string, marker: Buffer): Promise<void> {
  const producer = new Producer({ clientId: 'chorus-services-probe', bootstrapBrokers: [brokers], acks: -1, timeout: REQUEST_TIMEOUT_MS, retries: 1 });
  try {
    await producer.send({ messages: [{ topic: PROBE_TOPIC, partition: 0, value: marker }] });
  } finally {
    await producer.close().catch(() => {});
  }
}

/** Reads the mirrored probe topic from its start (it holds an hour of markers at most) until the marker or the deadline. */
async function markerArrives(flow: ProbedFlow, marker: Buffer, deadline: number): Promise<boolean> {
  const reader = new TopicReader({ brokers: [flow.targetBrokers], topic: `${flow.source}.${PROBE_TOPIC}`, clientId: 'chorus-services-probe', timeoutMs: REQUEST_TIMEOUT_MS });
  try {
    let offset = 0;
    while (Date.now() < deadline) {
      const fetched = await reader.fetch(0, offset, 200, 1 << 20).catch(() => undefined);
      if (fetched === undefined) {
        // Not mirrored yet (MirrorMaker creates the topic when it first sees the source's).
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (fetched.records.some((record) => record.value?.equals(marker))) return true;
      offset = fetched.next;
    }
    return false;
  } finally {
    await reader.close().catch(() => {});
  }
}
