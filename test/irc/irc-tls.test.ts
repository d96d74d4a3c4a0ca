// IRC over TLS beside plain IRC, as Twitch offers 6697 beside 6667: a real
// TLS client (node:tls, verifying the certificate) and irc-framework.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import irc from 'irc-framework';
import { loadConfig } from '../../src/config/load.ts';
import type { RunningServer } from '../../src/server.ts';
import { EventLog } from '../support/event-log.ts';
import { ircToken } from '../support/irc-clients.ts';
import { RawSocket, within } from '../support/raw-socket.ts';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { selfSignedCert } from '../support/tls-cert.ts';

const certDir = tempDir('chorus-tls-');
const { certPath, keyPath, cert } = selfSignedCert(certDir);
let server: TestServer & { server: RunningServer };
before(async () => {
  server = await startTestServer(['--irc-tls-port', '0', '--irc-tls-cert', certPath, '--irc-tls-key', keyPath]);
});
after(async () => {
  await within(server.stop(), 15_000, 'shutdown');
  removeDir(server.dataDir);
  removeDir(certDir);
});

test('node:tls, verifying the certificate, registers over IRC on the TLS port and chats both ways with v1', async () => {
  assert.ok(server.server.ircTlsPort !== undefined && server.server.ircTlsPort !== server.server.ircPort);
  const { ircToken: token } = await ircToken(server, 'Tilly');
  const client = await RawSocket.connectTls(server.server.ircTlsPort, { ca: cert, servername: 'localhost' });
  try {
    assert.equal((client.socket as import('node:tls').TLSSocket).authorized, true);
    client.write(`CAP REQ :twitch.tv/tags twitch.tv/commands\r\nPASS oauth:${token}\r\nNICK tilly\r\nJOIN #secure\r\n`);
    await client.waitFor(/:tmi\.twitch\.tv 001 tilly :Welcome, GLHF!\r\n/);
    await client.waitFor(/ROOMSTATE #secure\r\n/);
    const v1 = await chatter(server, 'vera', {}, 'secure');
    await v1.request({ type: 'send', stream: 'secure', text: 'hello over tls' });
    await client.waitFor(/:vera!vera@vera\.tmi\.twitch\.tv PRIVMSG #secure :hello over tls\r\n/);
    client.write('PRIVMSG #secure :and back\r\n');
    assert.equal((await v1.next('msg', (f) => f.text === 'and back')).user.name, 'Tilly');
    v1.close();
  } finally {
    client.destroy();
  }
});

test('irc-framework connects with tls: true and joins', async () => {
  const { ircToken: password } = await ircToken(server, 'Frida');
  const client = new irc.Client();
  const events = new EventLog(client, ['registered', 'join', 'privmsg', 'close']);
  client.connect({ host: '127.0.0.1', port: server.server.ircTlsPort, tls: true, rejectUnauthorized: false, nick: 'frida', password, auto_reconnect: false });
  try {
    await events.next('registered');
    client.join('#secure2');
    const [joined] = await events.next('join');
    assert.deepEqual([joined.nick, joined.channel], ['frida', '#secure2']);
  } finally {
    client.quit();
    await events.next('close').catch(() => undefined);
  }
});

test('a plain connection to the TLS port is not served; the plain port still is', async () => {
  const plainOnTls = await RawSocket.connect(server.server.ircTlsPort!);
  plainOnTls.write('NICK justinfan1\r\n');
  await within(plainOnTls.closed, 15_000, 'the TLS port closing a plain-text client');
  assert.doesNotMatch(plainOnTls.received, /001/);
  const plain = await RawSocket.connect(server.server.ircPort!);
  plain.write('NICK justinfan2\r\n');
  await plain.waitFor(/ 001 justinfan2 /);
  plain.destroy();
});

test('IRC over TLS is off without a certificate, and a certificate without its key is a configuration error', () => {
  const base = ['--dev', '--jwt-secret', 'x'.repeat(32)];
  assert.equal(loadConfig(base, {}).ircTlsCert, '');
  assert.throws(() => loadConfig([...base, '--irc-tls-cert', certPath], {}), /IRC over TLS needs both CHORUS_IRC_TLS_CERT and CHORUS_IRC_TLS_KEY/);
});
