import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import { startServer } from '../../src/server.ts';

// A child process that starts the server with the given flags and expects the start to fail. It never calls
// process.exit: it ends by itself only when the failed start closed everything it had opened.
const config = loadConfig(process.argv.slice(2), {});
startServer(config, pino({ level: 'silent' })).then(
  () => {
    console.log('started although it should not have');
    process.exit(3);
  },
  (err: Error) => {
    console.log(`failed: ${err.message}`);
    // Unref'd: it fires only when something else still holds the process open, and names what.
    setTimeout(() => {
      console.log(`still open: ${process.getActiveResourcesInfo().filter((r) => r !== 'Timeout').join(', ')}`);
      process.exit(4);
    }, 5_000).unref();
  },
);
