import type { Modes } from '../protocol/types.ts';
import { compareHlc, type Hlc } from './hlc.ts';

/**
 * The conflict rule for moderation across regions (docs/regions.md,
 * "Concurrent moderation"): each decision carries the HLC of the region that
 * made it, and of two decisions about the same thing the larger stamp holds,
 * whatever order they arrive in. So every region, once it has seen both,
 * ends with the same state. "The same thing" is a stream's rules (replaced
 * whole), one user's ban state in a stream (ban, timeout or unban), and
 * each mode on its own.
 */
export interface Versioned<T> {
  value: T;
  hlc: Hlc;
}

export function lastWriter<T>(current: Versioned<T> | undefined, incoming: Versioned<T>): Versioned<T> {
  return current === undefined || compareHlc(incoming.hlc, current.hlc) > 0 ? incoming : current;
}

/** The stamp of the decision each mode holds now; a mode never set has none. */
export type ModeVersions = Partial<Record<keyof Modes, Hlc>>;

export interface ModeMerge {
  modes: Modes;
  versions: ModeVersions;
  /** Modes whose value this change altered. */
  changed: Array<keyof Modes>;
}

/** Applies the fields of `change` that are newer than the decision each mode holds. */
export function applyModeChange(modes: Modes, versions: ModeVersions, change: Partial<Modes>, hlc: Hlc): ModeMerge {
  const next: Modes = { ...modes };
  const nextVersions: ModeVersions = { ...versions };
  const changed: Array<keyof Modes> = [];
  for (const mode of Object.keys(change) as Array<keyof Modes>) {
    const value = change[mode];
    if (value === undefined) continue;
    const held = versions[mode];
    if (held !== undefined && compareHlc(hlc, held) <= 0) continue;
    nextVersions[mode] = hlc;
    if (next[mode] !== value) changed.push(mode);
    (next as Record<keyof Modes, unknown>)[mode] = value;
  }
  return { modes: next, versions: nextVersions, changed };
}
