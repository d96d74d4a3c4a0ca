// A tmi.js bot survives a server restart on its own: the draining server
// sends RECONNECT, tmi.js reconnects, signs in again and rejoins its rooms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatter, startTestServer } from '../support/servers.ts';
import { tempDir } from '../support/temp-dir.ts';
import { ircToken, tmiClient } from '../support/irc-clients.ts';

test('tmi.js reconnects and rejoins after the server restarts', async () => {
  const dataDir = tempDir();
  const first = await startTestServer([], dataDir);
  const { ircToken: token } = await ircToken(first, 'Phoenix');
  const { client, events } = tmiClient(first.port, { username: 'phoenix', password: `oauth:${token}` }, {
    reconnect: true, reconnectInterval: 100, reconnectDecay: 1, maxReconnectInterval: 200,
  });
  try {
    await client.connect();
    await client.join('#again');
    await first.stop();
    await events.next('disconnected');

    // Same port and data directory; development tokens are signed with the test secret, so the password still holds.
    const second = await startTestServer(['--port', String(first.port)], dataDir);
    try {
      await events.next('connected', () => true, 10_000);
      await events.next('join', (channel: string, _nick: string, self: boolean) => channel === '#again' && self, 10_000);
      const v1 = await chatter(second, 'quinn', {}, 'again');
      const ack = await v1.request({ type: 'send', stream: 'again', text: 'welcome back' });
      const [, , text] = await events.next('message', (_c, t) => t.id === ack.id);
      assert.equal(text, 'welcome back');
      v1.ws.close();
    } finally {
      await client.disconnect().catch(() => undefined);
      await second.stop();
    }
  } finally {
    if (client.readyState() === 'OPEN') await client.disconnect();
  }
});
