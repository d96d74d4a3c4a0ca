// bench --profile: a real process profiled with the node options the bench
// gives its gateways, then read back; its busiest function must come first.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
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
