// Where `npm run services` puts its services, shared by the CLI and the test helpers.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Pid files, logs and broker data: outside the repository, in the temp directory unless CHORUS_SERVICES_DIR says otherwise. */
export const SERVICES_DIR = process.env.CHORUS_SERVICES_DIR ?? join(tmpdir(), 'chorus-services');
export const REDIS_PORT = 6379;
export const KAFKA_PORT = 9092;
