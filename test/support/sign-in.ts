import { encodeIrcToken } from '../../src/auth/irc-token.ts';
import { apiCall } from './api.ts';
import { tmiClient } from './irc-clients.ts';
import type { TestServer } from './servers.ts';
import { TestClient } from './ws-client.ts';

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
