import { encodeIrcToken } from '../../src/auth/irc-token.ts';
import { apiCall } from './api.ts';
import { tmiClient } from './irc-clients.ts';
import type { TestServer } from './servers.ts';
import { TestClient } from './ws-client.ts';
import { RawIrc } from './raw-irc.ts';

/** How each way in answered one token: 'accepted' or what refused it. */
export interface SignInAnswers {
  ws: string;
  http: string;
  irc: string;
}

/**
 * Presents one token at every door that verifies tokens: the v1 `auth` frame,
 * an HTTP bearer (POST /api/irc/token), and IRC PASS as tmi.js sends it (over WebSocket).
 */
export async function signInEverywhere(server: TestServer, name: string, jwt: string): Promise<SignInAnswers> {
  const ws = await TestClient.connect(server.wsUrl);
  ws.send({ type: 'auth', token: jwt });
  const answer = await ws.nextMatching((f) => f.type === 'welcome' || f.type === 'error', 5_000, 'welcome or error');
  ws.close();

  const res = await apiCall(server.url, 'POST', '/api/irc/token', jwt);
  await res.body?.cancel();

  const { client } = tmiClient(server.port, { username: name.toLowerCase(), password: `oauth:${encodeIrcToken(jwt)}` });
  const irc = await client.connect().then(
    async () => {
      await client.disconnect();
      return 'accepted';
    },
    (err: unknown) => String(err),
  );
  return {
    ws: answer.type === 'welcome' ? 'accepted' : String(answer.code),
    http: res.status === 200 ? 'accepted' : String(res.status),
    irc,
  };
}

export const ACCEPTED_EVERYWHERE: SignInAnswers = { ws: 'accepted', http: 'accepted', irc: 'accepted' };
export const REFUSED_EVERYWHERE: SignInAnswers = { ws: 'unauthorized', http: '401', irc: 'Login authentication failed' };

/**
 * The sentence each door refuses `jwt` with: the v1 `auth` error, an HTTP
 * bearer's 401 body, and IRC's NOTICE to a PASS renewal after signing in
 * with `goodJwt` (registration itself only says "Login authentication failed").
 */
export async function refusalTexts(server: TestServer & { server: { ircPort?: number } }, jwt: string, goodJwt: string): Promise<SignInAnswers> {
  const ws = await TestClient.connect(server.wsUrl);
  ws.send({ type: 'auth', token: jwt });
  const refused = await ws.next('error');
  ws.close();

  const res = await apiCall(server.url, 'POST', '/api/irc/token', jwt);
  const body = (await res.json()) as { message: string };

  const irc = new RawIrc(server.server.ircPort!);
  try {
    irc.send(`PASS oauth:${encodeIrcToken(goodJwt)}`, 'NICK alice');
    await irc.line(/ 001 /);
    irc.send(`PASS oauth:${encodeIrcToken(jwt)}`);
    const notice = await irc.line(/NOTICE \* :Your new token was refused/);
    return { ws: String(refused.message), http: body.message, irc: /\((.*)\); the old one holds/.exec(notice)?.[1] ?? notice };
  } finally {
    irc.socket.destroy();
  }
}
