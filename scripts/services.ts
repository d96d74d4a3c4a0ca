// npm run services [-- start|stop|status]: Redis (unless one already answers)
// and a single-node KRaft Kafka broker for cluster mode, on 127.0.0.1.
import { kafkaAnswers, startKafka, stopKafka } from './services/kafka-broker.ts';
import { KAFKA_PORT, REDIS_PORT, SERVICES_DIR } from './services/defaults.ts';
import { redisAnswers, startRedis, stopRedis } from './services/redis-server.ts';

const redis = { port: REDIS_PORT, stateDir: SERVICES_DIR };
const kafka = { port: KAFKA_PORT, stateDir: SERVICES_DIR };

async function main(command: string): Promise<void> {
  switch (command) {
    case 'start': {
      const started = Date.now();
      console.log(`redis 127.0.0.1:${REDIS_PORT}: ${await startRedis(redis)}`);
      console.log(`kafka 127.0.0.1:${KAFKA_PORT}: ${await startKafka(kafka)}`);
      console.log(`ready in ${Date.now() - started} ms (state in ${SERVICES_DIR})`);
      return;
    }
    case 'stop':
      // Only what this script started (its pid files); a Redis that was already running is left alone.
      console.log(`kafka: ${(await stopKafka(kafka)) ? 'stopped' : 'not started by services'}`);
      console.log(`redis: ${(await stopRedis(redis)) ? 'stopped' : 'not started by services'}`);
      return;
    case 'status':
      console.log(`redis 127.0.0.1:${REDIS_PORT}: ${(await redisAnswers(REDIS_PORT)) ? 'up' : 'down'}`);
      console.log(`kafka 127.0.0.1:${KAFKA_PORT}: ${(await kafkaAnswers(KAFKA_PORT)) ? 'up' : 'down'}`);
      return;
    default:
      throw new Error(`usage: npm run services [-- start|stop|status], not "${command}"`);
  }
}

main(process.argv[2] ?? 'start').catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
