import { Admin } from '@platformatic/kafka';

export interface TopicSpec {
  brokers: readonly string[];
  topic: string;
  /** Used when this call creates the topic. */
  partitions: number;
  /** Used when this call creates the topic; its min.insync.replicas is one less (at least 1). */
  replicas: number;
  /** Further topic configs when this call creates it (retention, cleanup policy). */
  configs: Record<string, string>;
}

const REQUEST_TIMEOUT_MS = 5000;

/** Creates the topic if it is missing; returns its partition count. An existing topic is left as it is. */
export async function ensureTopic(spec: TopicSpec): Promise<number> {
  const admin = new Admin({ clientId: 'chorus-admin', bootstrapBrokers: [...spec.brokers], timeout: REQUEST_TIMEOUT_MS });
  try {
    const count = async (retries?: number): Promise<number | undefined> =>
      (await admin.metadata({ topics: [spec.topic], forceUpdate: true, retries }).catch(() => undefined))?.topics.get(spec.topic)?.partitionsCount;
    // Not retried: a missing topic is the usual answer on first start (the client would retry it for seconds), and creating is safe anyway.
    const existing = await count(0);
    if (existing !== undefined) return existing;
    const configs = { ...spec.configs, 'min.insync.replicas': String(Math.max(1, spec.replicas - 1)) };
    await admin
      .createTopics({
        topics: [spec.topic],
        partitions: spec.partitions,
        replicas: spec.replicas,
        configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
      })
      // Another gateway may have created it at the same moment: check again below.
      .catch(() => {});
    const created = await count();
    if (created === undefined) throw new Error(`kafka: cannot create or find topic ${spec.topic}`);
    return created;
  } finally {
    await admin.close();
  }
}
