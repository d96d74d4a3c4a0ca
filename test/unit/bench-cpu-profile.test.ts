// bench --profile: a real process profiled with the node options the bench
// gives its gateways, then read back; its busiest function must come first.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatProfileSummary, profileNodeOptions, summarizeProfiles } from '../../bench/harness/cpu-profile.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

test('the profile of a process that spins in one function names that function first, with its time', () => {
  const dir = tempDir('chorus-profile-');
  try {
    // About 300 ms of work in `spinForTheProfile`, then a normal exit (when --cpu-prof writes its file).
    const script = 'function spinForTheProfile(){const end=Date.now()+300;let x=0;while(Date.now()<end)x+=Math.sqrt(x+1);return x}spinForTheProfile()';
    execFileSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_OPTIONS: profileNodeOptions(dir) }, timeout: 30_000 });
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).length, 1);
    const summary = summarizeProfiles(dir);
    assert.equal(summary.profiles, 1);
    assert.match(summary.top[0]!.fn, /^spinForTheProfile /);
    // The sampler's time, not a guess: most of the 300 ms, and never more than was sampled.
    assert.ok(summary.top[0]!.ms >= 150 && summary.top[0]!.ms <= summary.busyMs, `spin ${summary.top[0]!.ms} ms of ${summary.busyMs} busy`);
    assert.ok(summary.busyMs <= summary.sampledMs);
    assert.match(formatProfileSummary(summary), /1 gateway profiles, busy 0\.\d s/);
  } finally {
    removeDir(dir);
  }
});

test('the longest stretch of one event-loop phase counts the collection inside it and names whose work it was', () => {
  const dir = tempDir('chorus-profile-');
  try {
    const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '0' });
    // root -> processTimers -> heartbeat (src) -> ping (node); root -> processImmediate -> writeChunk (src); idle; GC.
    const nodes = [
      { id: 1, callFrame: frame('(root)'), children: [2, 5, 7, 8] },
      { id: 2, callFrame: frame('processTimers', 'node:internal/timers'), children: [3] },
      { id: 3, callFrame: frame('heartbeat', 'file:///app/src/session/session-set.ts'), children: [4] },
      { id: 4, callFrame: frame('ping', 'node:internal/streams/writable'), children: [] },
      { id: 5, callFrame: frame('processImmediate', 'node:internal/timers'), children: [6] },
      { id: 6, callFrame: frame('writeChunk', 'file:///app/src/fanout/chunked-write.ts'), children: [] },
      { id: 7, callFrame: frame('(idle)'), children: [] },
      { id: 8, callFrame: frame('(garbage collector)'), children: [] },
    ];
    // 10 ms a sample: a 40 ms timer stretch (one of it collection), idle, a 20 ms immediate stretch, idle.
    const samples = [4, 4, 8, 3, 7, 6, 6, 7, 7];
    const timeDeltas = samples.map(() => 10_000);
    writeFileSync(join(dir, 'gateway.cpuprofile'), JSON.stringify({ nodes, samples, timeDeltas, startTime: 0, endTime: 90_000 }));
    const { longest } = summarizeProfiles(dir);
    assert.deepEqual(longest.map((l) => [l.phase, l.ms, l.chorus]), [
      ['processTimers', 40, 'heartbeat src/session/session-set.ts:1'],
      ['processImmediate', 20, 'writeChunk src/fanout/chunked-write.ts:1'],
    ]);
    assert.match(formatProfileSummary(summarizeProfiles(dir)), /40 ms .* processTimers +heartbeat src\/session\/session-set\.ts:1/);
  } finally {
    removeDir(dir);
  }
});
