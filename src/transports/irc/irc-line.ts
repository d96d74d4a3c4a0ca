// IRC lines (RFC 1459 framing with IRCv3 message tags): parsing what clients
// send and serialising what the server sends. Tag values are escaped as the
// message-tags specification says; the trailing parameter is never escaped.

export interface IrcMessage {
  tags: Map<string, string>;
  prefix: string | undefined;
  /** Upper-cased: IRC commands are case-insensitive. */
  command: string;
  params: string[];
}

const MAX_PARAMS = 15;

/** Parses one line (without CR LF); undefined for a line with no command. */
export function parseLine(line: string): IrcMessage | undefined {
  let rest = line;
  const tags = new Map<string, string>();
  if (rest.startsWith('@')) {
    const space = rest.indexOf(' ');
    if (space === -1) return undefined;
    for (const pair of rest.slice(1, space).split(';')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq === -1) tags.set(pair, '');
      else tags.set(pair.slice(0, eq), unescapeTagValue(pair.slice(eq + 1)));
    }
    rest = rest.slice(space + 1).trimStart();
  }
  let prefix: string | undefined;
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    if (space === -1) return undefined;
    prefix = rest.slice(1, space);
    rest = rest.slice(space + 1).trimStart();
  }
  const params: string[] = [];
  let command = '';
  while (rest.length > 0) {
    if (command !== '' && (rest.startsWith(':') || params.length === MAX_PARAMS - 1)) {
      params.push(rest.startsWith(':') ? rest.slice(1) : rest);
      break;
    }
    const space = rest.indexOf(' ');
    const word = space === -1 ? rest : rest.slice(0, space);
    if (command === '') command = word.toUpperCase();
    else params.push(word);
    rest = space === -1 ? '' : rest.slice(space + 1).trimStart();
  }
  return command === '' ? undefined : { tags, prefix, command, params };
}

/** Tags as they go on the wire (`key=value;...`), values escaped; '' for none. */
export function formatTags(tags: ReadonlyArray<readonly [string, string]>): string {
  let out = '';
  for (const [key, value] of tags) out += (out === '' ? '@' : ';') + key + '=' + escapeTagValue(value);
  return out;
}

/**
 * One line with its CR LF. `trailing` becomes the last parameter, always
 * with its colon, so it may hold spaces or be empty.
 */
export function formatLine(tags: string, prefix: string | undefined, command: string, params: readonly string[], trailing?: string): string {
  let line = tags === '' ? '' : tags + ' ';
  if (prefix !== undefined) line += ':' + prefix + ' ';
  line += command;
  for (const param of params) line += ' ' + param;
  if (trailing !== undefined) line += ' :' + trailing;
  return line + '\r\n';
}

const ESCAPES: Record<string, string> = { ';': '\\:', ' ': '\\s', '\\': '\\\\', '\r': '\\r', '\n': '\\n' };
const UNESCAPES: Record<string, string> = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };

export function escapeTagValue(value: string): string {
  return value.replace(/[; \\\r\n]/g, (c) => ESCAPES[c]!);
}

/** A lone trailing backslash is dropped; an unknown escape stands for the character itself. */
export function unescapeTagValue(value: string): string {
  return value.replace(/\\(.?)/g, (_, c: string) => (c === '' ? '' : (UNESCAPES[c] ?? c)));
}
