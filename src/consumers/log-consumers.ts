import type { Logger } from 'pino';
import type { StreamAnalytics } from '../analytics/stream-analytics.ts';
import type { Bus } from '../bus/bus.ts';
import type { Config } from '../config/settings.ts';
import type { DurableLog } from '../log/log.ts';
import type { LogTail, TailConsumer, TailHandler } from '../log/log-tail.ts';
import { anyOf, type Classifier } from '../moderation/classifier.ts';
import { classifierHandler } from '../moderation/classifier-consumer.ts';
import { termsClassifier } from '../moderation/classifier-terms.ts';
import { webhookClassifier } from '../moderation/classifier-webhook.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface LogConsumersDeps {
  config: Pick<Config, 'classifierTerms' | 'classifierUrl' | 'classifierConcurrency' | 'classifierTimeoutMs' | 'region'>;
  tail: LogTail;
  log: DurableLog;
  bus: Bus;
  analytics: StreamAnalytics;
  metrics: Metrics;
  logger: Logger;
  /**
   * Group of the analytics consumer. Its counts live in process memory, so in
   * cluster mode each gateway needs a group of its own to see every stream.
   */
  analyticsGroup: string;
}

// Bounded batches: a consumer never reads more than this at once, however far behind.
const MAX_BATCH = 500;
// At most one classifier error is logged per interval; the metric counts them all.
const ERROR_LOG_INTERVAL_MS = 10_000;

export interface StartedConsumers {
  /**
   * Whether every consumer has fixed where it starts. A new group starts at
   * the newest message once it has its partitions; a line sent before that is
   * never checked by the classifier, so a gateway is not ready until then.
   */
  ready(): boolean;
}

/** Lifecycle step 9: starts the analytics consumer and, if configured, the classifier's. `tail.close()` stops them. */
export function startLogConsumers(d: LogConsumersDeps): StartedConsumers {
  let started = 0;
  let ready = 0;
  const start = (group: string, handler: TailHandler): TailConsumer => {
    const consumer = d.tail.consume({
      group, handler, maxBatch: MAX_BATCH, startAt: 'latest',
      onError: (err) => d.logger.warn({ err, group }, 'log consumer batch failed; retrying'),
    });
    started++;
    void consumer.ready().then(() => ready++);
    d.metrics.watchConsumerLag(group, () => consumer.lag());
    return consumer;
  };
  const consumers: StartedConsumers = { ready: () => ready === started };

  start(d.analyticsGroup, async (records) => {
    for (const { message } of records) d.analytics.record(message);
  });
  d.metrics.watchBusiestStreams(() => d.analytics.busiest(10, Date.now()));

  const classify = classifierFromConfig(d.config);
  if (classify === undefined) return consumers;
  let lastErrorLog = 0;
  start('classifier', ownLines(d.config.region, classifierHandler({
    classify,
    log: d.log,
    bus: d.bus,
    concurrency: d.config.classifierConcurrency,
    timeoutMs: d.config.classifierTimeoutMs,
    onOutcome: (outcome) => d.metrics.classifierChecks.inc({ outcome }),
    onCheckError: (err, message) => {
      const now = Date.now();
      if (now - lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
      lastErrorLog = now;
      d.logger.warn({ err, stream: message.stream, id: message.id }, 'classifier check failed (the message stays; see chorus_classifier_checks_total)');
    },
    onFlagged: (message, reason) => d.logger.info({ stream: message.stream, id: message.id, user: message.user.id, reason }, 'classifier flagged a message; retracting'),
  })));
  return consumers;
}

/**
 * Multi-region mode: the classifier judges the lines accepted in this
 * region only; its retractions reach the other regions as decisions
 * (docs/regions.md), so each line is judged once, by its origin.
 */
export function ownLines(region: string, handler: TailHandler): TailHandler {
  if (region === '') return handler;
  return (records) => handler(records.filter((r) => r.message.origin === undefined || r.message.origin === region));
}

/** The webhook and the term list, whichever are configured; undefined if neither. */
function classifierFromConfig(config: LogConsumersDeps['config']): Classifier | undefined {
  const classifiers: Classifier[] = [];
  if (config.classifierTerms.length > 0) classifiers.push(termsClassifier(config.classifierTerms));
  if (config.classifierUrl !== '') classifiers.push(webhookClassifier(config.classifierUrl));
  return classifiers.length === 0 ? undefined : anyOf(classifiers);
}
