import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { badAddressRanges } from '../http/client-address.ts';
import { SETTINGS, envNameOf, flagNameOf, type Config, type Setting, type SettingName } from './settings.ts';

/** Bad configuration: start-up stops with these lines and a non-zero exit. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('invalid configuration:\n  ' + problems.join('\n  '));
    this.problems = problems;
  }
}

const NAMES = Object.keys(SETTINGS) as SettingName[];
const BY_FLAG = new Map(NAMES.map((n) => [flagNameOf(n), n]));

type Raw = Partial<Record<SettingName, unknown>>;

/**
 * Resolves the config: defaults, then the JSON file (--config or CHORUS_CONFIG),
 * then CHORUS_* environment, then flags. Every problem is reported at once.
 */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const fromFlags = parseFlags(argv, problems);
  const filePath = (fromFlags.file ?? env.CHORUS_CONFIG) || undefined;
  const layers: Array<[string, Raw]> = [];
  if (filePath) layers.push([`file ${filePath}`, readFile(filePath, problems)]);
  layers.push(['environment', fromEnv(env)], ['flags', fromFlags.values]);

  const out: Record<string, unknown> = {};
  for (const name of NAMES) {
    let value: unknown = SETTINGS[name].default;
    for (const [source, raw] of layers) {
      if (raw[name] === undefined) continue;
      const parsed = coerce(SETTINGS[name], raw[name]);
      if ('error' in parsed) problems.push(`${describe(name)} from ${source}: ${parsed.error}`);
      else value = parsed.v;
    }
    out[name] = value;
  }
  // The demo listens on this machine only; production on every interface (docs/decisions.md).
  if (out.host === '') out.host = out.dev ? '127.0.0.1' : '0.0.0.0';
  const config = out as Config;
  problems.push(...crossCheck(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function describe(name: SettingName): string {
  return `${name} (--${flagNameOf(name)}, ${envNameOf(name)})`;
}

// Every setting is a flag; booleans are bare (`--dev`) or negated (`--no-dev`), the rest take a value.
const FLAG_OPTIONS: ParseArgsOptionsConfig = Object.fromEntries([
  ['config', { type: 'string' }],
  ...NAMES.map((n) => [flagNameOf(n), { type: SETTINGS[n].type === 'bool' ? 'boolean' : 'string' }]),
]);

/**
 * node's parseArgs splits the flags; strict mode is off so that every problem
 * is listed at once instead of the first one thrown.
 */
function parseFlags(argv: readonly string[], problems: string[]): { values: Raw; file?: string } {
  const values: Raw = {};
  let file: string | undefined;
  let args: string[] | undefined = [...argv];
  while (args !== undefined) {
    const { tokens } = parseArgs({ args, options: FLAG_OPTIONS, strict: false, allowPositionals: true, allowNegative: true, tokens: true });
    const from: string[] = args;
    args = undefined;
    for (const token of tokens) {
      if (token.kind === 'option-terminator') {
        problems.push('unknown flag --');
        continue;
      }
      if (token.kind === 'positional') {
        problems.push(`unexpected argument "${token.value}"`);
        continue;
      }
      if (!token.rawName.startsWith('--')) {
        problems.push(`unexpected argument "${token.rawName}"`);
        continue;
      }
      const name = token.name === 'config' ? undefined : BY_FLAG.get(token.name);
      const isBool = name !== undefined && SETTINGS[name].type === 'bool';
      const negated = token.rawName !== `--${token.name}`; // --no-<name>, which parseArgs names <name>
      if ((token.name !== 'config' && name === undefined) || (negated && !isBool)) {
        problems.push(`unknown flag ${token.rawName}`);
        continue;
      }
      const value = isBool && token.value === undefined ? String(!negated) : token.value;
      if (value === undefined || (!token.inlineValue && value.startsWith('--'))) {
        problems.push(`flag ${token.rawName} needs a value`);
        // parseArgs took the next flag for this one's value: read on from that flag.
        if (value === undefined) continue;
        args = from.slice(token.index + 1);
        break;
      }
      if (name === undefined) file = value;
      else values[name] = value;
    }
  }
  return { values, file };
}

function fromEnv(env: Readonly<Record<string, string | undefined>>): Raw {
  const raw: Raw = {};
  for (const name of NAMES) {
    const setting: Setting = SETTINGS[name];
    for (const key of [...(setting.aliases ?? []), envNameOf(name)]) {
      const value = env[key];
      if (value !== undefined && value !== '') raw[name] = value;
    }
  }
  return raw;
}

function readFile(path: string, problems: string[]): Raw {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    problems.push(`config file ${path}: ${(err as Error).message}`);
    return {};
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push(`config file ${path}: must hold one JSON object`);
    return {};
  }
  const raw: Raw = {};
  for (const [key, value] of Object.entries(data)) {
    if (Object.hasOwn(SETTINGS, key)) raw[key as SettingName] = value;
    else problems.push(`config file ${path}: unknown setting "${key}"`);
  }
  return raw;
}

/** Strings come from flags and env; the file may hold JSON types too. */
function coerce(setting: Setting, raw: unknown): { v: unknown } | { error: string } {
  switch (setting.type) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) return { error: `must be an integer, got ${JSON.stringify(raw)}` };
      if (n < setting.min || n > setting.max) return { error: `must be between ${setting.min} and ${setting.max}, got ${n}` };
      return { v: n };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { v: raw };
      const s = String(raw).trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return { v: true };
      if (['0', 'false', 'no', 'off'].includes(s)) return { v: false };
      return { error: `must be true or false, got ${JSON.stringify(raw)}` };
    }
    case 'string':
      return typeof raw === 'string' ? { v: raw } : { error: `must be a string, got ${JSON.stringify(raw)}` };
    case 'list': {
      if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return { v: raw.map((x: string) => x.trim()).filter(Boolean) };
      if (typeof raw === 'string') return { v: raw.split(',').map((x) => x.trim()).filter(Boolean) };
      return { error: `must be a comma-separated string or an array of strings` };
    }
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function crossCheck(c: Config): string[] {
  const problems: string[] = [];
  if (!LOG_LEVELS.includes(c.logLevel)) problems.push(`${describe('logLevel')}: must be one of ${LOG_LEVELS.join(', ')}`);
  if (c.historyDefault > c.historyMax) problems.push(`historyDefault (${c.historyDefault}) is larger than historyMax (${c.historyMax})`);
  if (c.socketSoftLimitBytes > c.socketHardLimitBytes) {
    problems.push(`socketSoftLimitBytes (${c.socketSoftLimitBytes}) is larger than socketHardLimitBytes (${c.socketHardLimitBytes})`);
  }
  if (c.jwtSecret !== '' && Buffer.byteLength(c.jwtSecret) < 32) problems.push(`${describe('jwtSecret')}: must be at least 32 bytes for HS256`);
  if (c.adminToken !== '' && Buffer.byteLength(c.adminToken) < 32) problems.push(`${describe('adminToken')}: must be at least 32 bytes`);
  if (c.jwksUrl !== '' && !/^https:\/\//.test(c.jwksUrl) && !(c.jwksAllowHttp && /^http:\/\//.test(c.jwksUrl))) {
    // Keys fetched over plain http can be swapped on the way: anyone on the path could sign tokens.
    problems.push(`${describe('jwksUrl')}: must be an https URL (${envNameOf('jwksAllowHttp')}=true accepts http)`);
  }
  if (c.classifierUrl !== '' && !/^https?:\/\//.test(c.classifierUrl)) problems.push(`${describe('classifierUrl')}: must be an http(s) URL`);
  const badProxies = badAddressRanges(c.trustedProxies);
  if (badProxies.length > 0) problems.push(`${describe('trustedProxies')}: not an address or CIDR range: ${badProxies.join(', ')}`);
  if ((c.ircTlsCert === '') !== (c.ircTlsKey === '')) problems.push(`IRC over TLS needs both ${envNameOf('ircTlsCert')} and ${envNameOf('ircTlsKey')}`);
  if (!c.dev && c.jwtSecret === '' && c.jwksUrl === '') {
    problems.push(`no way to verify tokens: set ${envNameOf('jwtSecret')} or ${envNameOf('jwksUrl')} (or --dev for the demo)`);
  }
  if ((c.redisUrl === '') !== (c.kafkaBrokers.length === 0)) {
    problems.push(`cluster mode needs both ${envNameOf('redisUrl')} and ${envNameOf('kafkaBrokers')}`);
  }
  if (c.redisCluster && !c.redisShardedPubsub) {
    problems.push(`${describe('redisCluster')}: needs ${envNameOf('redisShardedPubsub')}=true (classic pub/sub on a cluster does not keep a stream's order)`);
  }
  problems.push(...regionProblems(c));
  if (c.workers > 1 && c.redisUrl === '') {
    problems.push(`${describe('workers')}: more than one worker needs cluster mode (${envNameOf('redisUrl')} and ${envNameOf('kafkaBrokers')}); embedded workers would not share their chat`);
  }
  return problems;
}

// A region name becomes part of Kafka topic names (MirrorMaker 2's `<region>.<topic>`, whose separator is the dot) and of Redis keys.
const REGION_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const REGION_NAME_RULE = 'must be 1-32 lower-case letters, digits or hyphens, starting with a letter';

function regionProblems(c: Config): string[] {
  const problems: string[] = [];
  if (c.region !== '' && !REGION_NAME.test(c.region)) problems.push(`${describe('region')}: ${REGION_NAME_RULE}, got ${JSON.stringify(c.region)}`);
  const seen = new Set<string>();
  for (const peer of c.regionPeers) {
    if (!REGION_NAME.test(peer)) problems.push(`${describe('regionPeers')}: each ${REGION_NAME_RULE}, got ${JSON.stringify(peer)}`);
    else if (peer === c.region) problems.push(`${describe('regionPeers')}: must not include this region ${JSON.stringify(peer)}`);
    else if (seen.has(peer)) problems.push(`${describe('regionPeers')}: names ${JSON.stringify(peer)} twice`);
    seen.add(peer);
  }
  if (c.regionPeers.length > 0 && c.region === '') problems.push(`${describe('regionPeers')}: needs ${envNameOf('region')} (this gateway's own region)`);
  if (c.region !== '' && c.redisUrl === '') {
    problems.push(`${describe('region')}: needs cluster mode (${envNameOf('redisUrl')} and ${envNameOf('kafkaBrokers')}): regions exchange their lines through Kafka`);
  }
  if (c.regionHoldMaxMs < 3 * c.regionHeartbeatMs) {
    problems.push(`regionHoldMaxMs (${c.regionHoldMaxMs}) must be at least 3 times regionHeartbeatMs (${c.regionHeartbeatMs}): an idle region would be left out between two heartbeats`);
  }
  return problems;
}
