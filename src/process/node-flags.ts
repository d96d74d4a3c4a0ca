/**
 * Node flags a server process should start with. V8 reads heap limits only
 * when the process starts (v8.setFlagsFromString is too late), so they are on
 * every command line that starts a server: `npm start`, the `chorus` bin's
 * shebang, the commands in README.md and docs/operations.md, and the test and
 * benchmark spawns (test/unit/node-flags.test.ts keeps them in step).
 *
 * The young generation at its full size from the start (semi-spaces of
 * 64 MiB, 128 MiB in all): V8 otherwise starts it small and grows it under a
 * chat server's steady allocation for the first twenty minutes or so, which
 * the 30-minute soak measured as RSS rising ~250 MB/h while the live heap
 * stayed flat. A smaller cap (16 MiB) kept RSS flat too but made the burst's
 * p99 worse (docs/decisions.md "The young generation is sized at start").
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--min-semi-space-size=64', '--max-semi-space-size=64'];

/** The recommended flags this process was started without (from its argv or NODE_OPTIONS). */
export function missingNodeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map(flagName));
  return SERVER_NODE_FLAGS.filter((flag) => !given.has(flagName(flag)));
}

/** `--max_semi_space_size=8` and `--max-semi-space-size=64` name the same flag (node accepts both spellings). */
function flagName(flag: string): string {
  return flag.split('=')[0]!.replaceAll('_', '-');
}
