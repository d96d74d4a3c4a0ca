// `--profile DIR`: the gateways run with V8's sampling profiler (`--cpu-prof`),
// each writing a .cpuprofile into DIR when it exits; this reads them back into
// where the time went (self time by function, and by part), so a record can
// say what a run's gateways spent their CPU on without opening DevTools, and
// into the longest stretches of one event-loop phase: totals hide a turn
// that holds a gateway for a second (docs/decisions.md, "Redis connections
// write their whole queue each turn", was found that way).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  profiles: number;
  /** Sampled time in every profile, idle included (ms). */
  sampledMs: number;
  /**
   * Sampled time the threads were not idle (everything but `(idle)`), ms. Wall
   * time, not CPU time: V8 samples on a clock, so a gateway waiting for a core
   * (several gateways and the load generator on two) counts where it waits.
   */
  busyMs: number;
  /** Busy time by part (see `partOf`), ms, largest first. */
  parts: Array<{ part: string; ms: number }>;
  /** The functions with the most self time, ms, largest first. */
  top: Array<{ fn: string; ms: number }>;
  /** The longest stretches of one event-loop phase, longest first. */
  longest: LongPhase[];
}

/**
 * Consecutive busy samples under one entry from the event loop (a timer, an
 * immediate, a socket read, ...), with the garbage collection inside them:
 * one turn, or several of the same phase back to back (a profile does not
 * mark turns). Module loading at start is left out.
 */
export interface LongPhase {
  ms: number;
  /** The entry's function, as Node names it (`processTimers`, `processImmediate`, `onStreamRead`, ...). */
  phase: string;
  /** Chorus's outermost function under the entry, in most of the stretch's time: whose work it was. */
  chorus: string;
  /** Seconds from the profile's start. */
  atS: number;
  profile: number;
}

/** The node flags that make a process write its profile into `dir` when it exits. */
export function profileNodeOptions(dir: string): string {
  return `--cpu-prof --cpu-prof-dir=${dir}`;
}

/** Adds up every .cpuprofile in `dir`. */
export function summarizeProfiles(dir: string, topN = 25, longestN = 8): ProfileSummary {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const byFn = new Map<string, number>();
  const byPart = new Map<string, number>();
  const longest: LongPhase[] = [];
  let sampledUs = 0;
  let idleUs = 0;
  for (const [index, file] of files.entries()) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    longest.push(...longPhases(profile, nodes, index, longestN));
    // Each sample's time is the delta to the next one: the time it stood for.
    for (let i = 0; i < profile.samples.length; i++) {
      const us = profile.timeDeltas[i + 1] ?? 0;
      const frame = nodes.get(profile.samples[i]!)!.callFrame;
      sampledUs += us;
      if (frame.functionName === '(idle)') {
        idleUs += us;
        continue;
      }
      const fn = functionLabel(frame);
      byFn.set(fn, (byFn.get(fn) ?? 0) + us);
      const part = partOf(frame);
      byPart.set(part, (byPart.get(part) ?? 0) + us);
    }
  }
  const ms = (us: number): number => Math.round(us / 100) / 10;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    profiles: files.length,
    sampledMs: ms(sampledUs),
    busyMs: ms(sampledUs - idleUs),
    parts: sorted(byPart).map(([part, us]) => ({ part, ms: ms(us) })),
    top: sorted(byFn).slice(0, topN).map(([fn, us]) => ({ fn, ms: ms(us) })),
    longest: longest.sort((a, b) => b.ms - a.ms).slice(0, longestN),
  };
}

/** One profile's longest stretches of one event-loop phase (see LongPhase). */
function longPhases(profile: CpuProfile, nodes: Map<number, ProfileNode>, index: number, n: number): LongPhase[] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // The entry of a sample: its ancestor just under the root. Chorus's part: the outermost src/ frame on its stack.
  const entries = new Map<number, { entry: ProfileNode; chorus: string }>();
  const entryOf = (id: number): { entry: ProfileNode; chorus: string } => {
    let known = entries.get(id);
    if (known !== undefined) return known;
    let entry = nodes.get(id)!;
    let chorus = '(none)';
    for (let at: number | undefined = id; at !== undefined && parent.has(at); at = parent.get(at)) {
      entry = nodes.get(at)!;
      if (/\/src\//.test(entry.callFrame.url)) chorus = functionLabel(entry.callFrame);
    }
    known = { entry, chorus };
    entries.set(id, known);
    return known;
  };
  const stretches: Array<LongPhase & { us: number; byChorus: Map<string, number> }> = [];
  let current: (typeof stretches)[number] | undefined;
  let atUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    atUs += profile.timeDeltas[i] ?? 0;
    const us = profile.timeDeltas[i + 1] ?? 0;
    const { entry, chorus } = entryOf(profile.samples[i]!);
    const name = entry.callFrame.functionName;
    if (name === '(idle)' || entry.callFrame.url.startsWith('node:internal/main/') || entry.callFrame.url.startsWith('node:internal/modules/')) {
      current = undefined;
      continue;
    }
    // Collection and V8's own work happen inside whatever phase they interrupt.
    if (name === '(garbage collector)' || name === '(program)') {
      if (current !== undefined) current.us += us;
      continue;
    }
    if (current === undefined || current.phase !== name) {
      current = { ms: 0, us: 0, phase: name, chorus: '', atS: Math.round(atUs / 1e5) / 10, profile: index, byChorus: new Map() };
      stretches.push(current);
    }
    current.us += us;
    current.byChorus.set(chorus, (current.byChorus.get(chorus) ?? 0) + us);
  }
  return stretches
    .sort((a, b) => b.us - a.us)
    .slice(0, n)
    .map(({ us, byChorus, ...stretch }) => ({ ...stretch, ms: Math.round(us / 1000), chorus: [...byChorus].sort((a, b) => b[1] - a[1])[0]![0] }));
}

function functionLabel(frame: ProfileNode['callFrame']): string {
  return `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
}

/** The record keeps every part; the table prints the largest. */
const PARTS_PRINTED = 15;

/** The summary as the bench prints it. */
export function formatProfileSummary(s: ProfileSummary): string {
  const pct = (ms: number): string => `${((100 * ms) / Math.max(1, s.busyMs)).toFixed(1)} %`;
  const rest = s.parts.slice(PARTS_PRINTED).reduce((sum, p) => sum + p.ms, 0);
  return [
    `profile              ${s.profiles} gateway profiles, busy ${(s.busyMs / 1000).toFixed(1)} s of ${(s.sampledMs / 1000).toFixed(1)} s sampled (wall time, waits for a core included)`,
    '  by part (self time, share of busy):',
    ...s.parts.slice(0, PARTS_PRINTED).map((p) => `    ${p.part.padEnd(28)} ${(p.ms / 1000).toFixed(1).padStart(7)} s  ${pct(p.ms)}`),
    ...(s.parts.length > PARTS_PRINTED ? [`    ${`(${s.parts.length - PARTS_PRINTED} more parts)`.padEnd(28)} ${(rest / 1000).toFixed(1).padStart(7)} s  ${pct(rest)}`] : []),
    '  top functions (self time):',
    ...s.top.map((t) => `    ${(t.ms / 1000).toFixed(2).padStart(7)} s  ${pct(t.ms).padStart(6)}  ${t.fn}`),
    '  longest stretches of one event-loop phase (a turn, or more of the same phase back to back; wall time):',
    ...s.longest.map((l) => `    ${String(l.ms).padStart(6)} ms  at ${l.atS.toFixed(1).padStart(6)} s of profile ${l.profile + 1}  ${l.phase.padEnd(26)} ${l.chorus}`),
  ].join('\n');
}

/**
 * The part of the system a frame belongs to: V8's own entries by name,
 * Chorus's code by its top folder (src/fanout, src/chat, ...), a dependency by
 * its package, Node's own JavaScript as `node internals`.
 */
function partOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : `native ${functionName}`;
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return pkg[1]!;
  const src = /\/src\/([^/]+)\//.exec(url);
  if (src !== null) return `src/${src[1]}`;
  return shortUrl(url);
}

function shortUrl(url: string): string {
  const at = url.search(/\/(src|node_modules|bench|test)\//);
  return at === -1 ? url.replace(/^file:\/\//, '') : url.slice(at + 1);
}
