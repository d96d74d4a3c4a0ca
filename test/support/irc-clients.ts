import tmi from 'tmi.js';
import irc, { type Client } from 'irc-framework';
import type { TestServer } from './servers.ts';
import { EventLog } from './event-log.ts';
import { closeAtEnd } from './file-end.ts';

/** An IRC password for `name` from the development token endpoint (its `ircToken`). */
export async function ircToken(server: TestServer, name: string, roles: Record<string, string[]> = {}): Promise<{ ircToken: string; user: { id: string; name: string } }> {
  const res = await fetch(`${server.url}/api/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, roles }),
  });
  if (res.status !== 200) throw new Error(`dev token: ${res.status}`);
  return (await res.json()) as { ircToken: string; user: { id: string; name: string } };
}

export const TMI_EVENTS = [
  'message', 'join', 'part', 'notice', 'automod', 'messagedeleted', 'ban', 'timeout', 'slowmode',
  'subscribers', 'emoteonly', 'r9kbeta', 'followersonly', 'roomstate', 'connected', 'disconnected', 'reconnect', 'names',
  'usernotice', 'subscription', 'resub', 'subgift', 'submysterygift', 'raided', 'clearchat',
] as const;

/** An unmodified tmi.js client pointed at the test server, as docs/irc.md tells a bot author to. */
export function tmiClient(port: number, identity?: { username: string; password: string }, connection: Record<string, unknown> = {}): { client: tmi.Client; events: EventLog } {
  const client = new tmi.Client({
    options: { skipUpdatingEmotesets: true },
    connection: { server: '127.0.0.1', port, reconnect: false, ...connection },
    identity,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  } as tmi.Options);
  return { client, events: new EventLog(client as never, TMI_EVENTS) };
}

/** A signed-in tmi.js client, connected. */
export async function tmiChatter(server: TestServer, name: string, roles: Record<string, string[]> = {}): Promise<{ client: tmi.Client; events: EventLog; userId: string }> {
  const { ircToken: token, user } = await ircToken(server, name, roles);
  const { client, events } = tmiClient(server.port, { username: name.toLowerCase(), password: `oauth:${token}` });
  await client.connect();
  return { client, events, userId: user.id };
}

/** A `tmiChatter` that has joined `channel` if given, disconnected after the file's last test. */
export async function tmiBot(server: TestServer, name: string, roles: Record<string, string[]> = {}, channel?: string): ReturnType<typeof tmiChatter> {
  const bot = await tmiChatter(server, name, roles);
  // A test may have disconnected it already.
  closeAtEnd('tmi bot', () => bot.client.disconnect().catch(() => undefined));
  if (channel !== undefined) await bot.client.join(channel);
  return bot;
}

/** An unmodified irc-framework client over plain TCP on `ircPort`, asking for Twitch's capabilities, registered. */
export async function ircFrameworkClient(server: TestServer, ircPort: number, name: string, roles: Record<string, string[]> = {}): Promise<{ client: Client; events: EventLog }> {
  const { ircToken: password } = await ircToken(server, name, roles);
  const client = new irc.Client();
  client.requestCap(['twitch.tv/tags', 'twitch.tv/commands', 'twitch.tv/membership']);
  const events = new EventLog(client, ['registered', 'join', 'part', 'privmsg', 'notice', 'unknown command', 'close']);
  client.connect({ host: '127.0.0.1', port: ircPort, nick: name.toLowerCase(), password, auto_reconnect: false });
  await events.next('registered');
  return { client, events };
}
