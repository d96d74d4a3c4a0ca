import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { until } from '../support/until.ts';

// `npm start` is a chain: npm, `sh -c`, then the server. Whoever stops the
// launcher (a terminal's close, an IDE's stop button, a process manager) signals
// npm alone; the server must not outlive it and keep the port.

interface NpmStart {
  npmPid: number;
  serverPid: number;
  port: number;
}

/** `npm start` as a user runs it (pre-scripts skipped: the pages are not needed), on a free port and a temp data directory. */
async function npmStart(dataDir: string): Promise<NpmStart> {
  const npm = spawn('npm', ['start', '--ignore-scripts', '--', '--port', '0', '--irc-port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  createInterface({ input: npm.stderr! }).on('line', (line) => output.push(line));
  const listening = await new Promise<{ pid: number; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running: a server that listens later would hold the test run open (it stops when npm dies, as tested below).
      npm.kill('SIGKILL');
      reject(new Error(`npm start did not listen:\n${output.join('\n')}`));
    }, 30_000);
    npm.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output.join('\n')}`)));
    createInterface({ input: npm.stdout! }).on('line', (line) => {
      output.push(line);
      const entry = parseLogLine(line);
      if (entry?.msg === 'chorus is listening') {
        clearTimeout(timer);
        resolve({ pid: entry.pid as number, port: entry.port as number });
      }
    });
  });
  return { npmPid: npm.pid!, serverPid: listening.pid, port: listening.port };
}

function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined; // npm's own banner
  }
}

/** Gone: no such process, or a zombie waiting for its parent to reap it. */
function processGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function assertServerStops(started: NpmStart): Promise<void> {
  try {
    await until(() => processGone(started.serverPid), `server pid ${started.serverPid} to exit`, 15_000, 50);
  } finally {
    // A server that outlived the test must not outlive the test run.
    if (!processGone(started.serverPid)) process.kill(started.serverPid, 'SIGKILL');
  }
  assert.equal(await portRefuses(started.port), true, `port ${started.port} still answers`);
}

test('SIGTERM to the npm that `npm start` runs stops the server and frees its port', async () => {
  const dataDir = tempDir();
  try {
    const started = await npmStart(dataDir);
    process.kill(started.npmPid, 'SIGTERM');
    await assertServerStops(started);
  } finally {
    removeDir(dataDir);
  }
});

test('a server started by npm stops when npm dies without passing a signal on (SIGKILL)', async () => {
  const dataDir = tempDir();
  try {
    const started = await npmStart(dataDir);
    process.kill(started.npmPid, 'SIGKILL');
    await assertServerStops(started);
  } finally {
    removeDir(dataDir);
  }
});
