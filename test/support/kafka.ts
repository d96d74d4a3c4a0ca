// Tests run against a real Kafka broker: the one `npm run services` starts,
// started here when none answers (CI included: nothing is skipped).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { KAFKA_PORT } from '../../scripts/services/defaults.ts';
import { kafkaAnswers } from '../../scripts/services/kafka-broker.ts';
import { KafkaLog, type KafkaLogOptions } from '../../src/log/kafka-log.ts';

export const KAFKA_BROKERS = [`127.0.0.1:${KAFKA_PORT}`];
const SERVICES_SCRIPT = new URL('../../scripts/services.ts', import.meta.url).pathname;

/**
 * Makes sure the shared broker answers, starting it through the services
 * script otherwise (that script serialises concurrent starts through its pid
 * file and fails with a clear message when Java or Maven is missing).
 */
export async function ensureKafka(): Promise<string[]> {
  if (!(await kafkaAnswers(KAFKA_PORT))) {
    execFileSync(process.execPath, [SERVICES_SCRIPT, 'start'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  }
  return KAFKA_BROKERS;
}

/** A topic name no other run uses. */
export function uniqueTopic(prefix = 'chorus-test'): string {
  return `${prefix}-${randomUUID()}`;
}

/** KafkaLog options for tests: a fresh topic, small bounds, short timeouts. */
export function testLogOptions(brokers: readonly string[], topic: string, overrides: Partial<KafkaLogOptions> = {}): KafkaLogOptions {
  return {
    brokers,
    topic,
    partitions: 3,
    replicas: 1,
    retentionMs: 3 * 3_600_000,
    maxMessagesPerStream: 100_000,
    maxIndexedMessages: 1_000_000,
    appendTimeoutMs: 5000,
    ...overrides,
  };
}

export function openTestLog(brokers: readonly string[], topic: string, overrides: Partial<KafkaLogOptions> = {}): Promise<KafkaLog> {
  return KafkaLog.open(testLogOptions(brokers, topic, overrides));
}
