// Runs the durable log contract against KafkaLog on a real broker, one fresh topic per run.
import { ensureKafka, openTestLog, uniqueTopic } from '../support/kafka.ts';
import { runLogContract } from './log.contract.ts';

const brokers = await ensureKafka();
const topic = uniqueTopic('chorus-contract');

runLogContract('KafkaLog', async () => ({
  open: () => openTestLog(brokers, topic),
  // The topic is shared by the run's tests (each uses its own streams) and expires by retention.
  cleanup: async () => {},
}));
