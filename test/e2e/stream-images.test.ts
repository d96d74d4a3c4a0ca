// Emote and badge images (extension) over real HTTP: the broadcaster manages
// them, the page's display lists only allowed origins, their names count as
// the stream's emotes, and the chat page's CSP names the allowed origins.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';
import { apiCall } from '../support/api.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer(['--image-origins', 'https://cdn.7tv.app,https://cdn.betterttv.net']);
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

const call = (method: string, path: string, token?: string, body?: unknown): Promise<Response> => apiCall(server.url, method, path, token, body);
const tokenOf = async (name: string, roles: Record<string, string[]> = {}): Promise<string> => (await devToken(server.url, name, roles)).token;

test('only the broadcaster replaces the images; moderators read them; others are refused', async () => {
  const s = 'img-roles';
  const caster = await tokenOf('imgcaster', { [s]: ['broadcaster'] });
  const mod = await tokenOf('imgmod', { [s]: ['moderator'] });
  const viewer = await tokenOf('imgviewer');
  const images = {
    emotes: [{ name: 'catJAM', url: 'https://cdn.7tv.app/emote/01AA/2x.webp', animated: true }],
    badges: [{ role: 'moderator', url: 'https://cdn.7tv.app/badge/mod.png' }],
  };
  assert.equal((await call('PUT', `/api/streams/${s}/images`, undefined, images)).status, 401);
  assert.equal((await call('PUT', `/api/streams/${s}/images`, viewer, images)).status, 403);
  const byMod = await call('PUT', `/api/streams/${s}/images`, mod, images);
  assert.equal(byMod.status, 403);
  assert.match(((await byMod.json()) as { message: string }).message, /only the broadcaster/);
  const put = await call('PUT', `/api/streams/${s}/images`, caster, images);
  assert.equal(put.status, 200);
  assert.deepEqual(await put.json(), images);
  assert.deepEqual(await (await call('GET', `/api/streams/${s}/images`, mod)).json(), images);
  assert.equal((await call('GET', `/api/streams/${s}/images`, viewer)).status, 403);
});

test('bad entries are refused with a sentence that names them; counts and lengths are bounded', async () => {
  const s = 'img-bounds';
  const caster = await tokenOf('boundcaster', { [s]: ['broadcaster'] });
  const refusal = async (body: unknown): Promise<string> => {
    const res = await call('PUT', `/api/streams/${s}/images`, caster, body);
    assert.equal(res.status, 400);
    return ((await res.json()) as { message: string }).message;
  };
  const emote = (name: string, url: string) => ({ name, url, animated: false });
  assert.match(await refusal({ emotes: [emote('ok', 'http://cdn.example/e.png')], badges: [] }), /emotes\[0\]\.url must be https/);
  assert.match(await refusal({ emotes: [emote('ok', 'javascript:alert(1)')], badges: [] }), /emotes\[0\]\.url must be https/);
  assert.match(await refusal({ emotes: [emote('two words', 'https://cdn.7tv.app/e')], badges: [] }), /emotes\[0\]\.name/);
  assert.match(await refusal({ emotes: [emote('a', 'https://cdn.7tv.app/1'), emote('a', 'https://cdn.7tv.app/2')], badges: [] }), /listed twice/);
  assert.match(await refusal({ emotes: [], badges: [{ role: 'vip', url: 'https://cdn.7tv.app/v' }, { role: 'vip', url: 'https://cdn.7tv.app/w' }] }), /badges\[1\]\.role vip is listed twice/);
  await refusal({ emotes: [emote('long', `https://cdn.7tv.app/${'x'.repeat(600)}`)], badges: [] });
  await refusal({ emotes: Array.from({ length: 501 }, (_, i) => emote(`e${i}`, 'https://cdn.7tv.app/e')), badges: [] });
  await refusal({ emotes: [], badges: [{ role: 'admin', url: 'https://cdn.7tv.app/a' }] });
  // Loopback http is allowed (a development image server); nothing was stored by the refusals.
  assert.equal((await call('PUT', `/api/streams/${s}/images`, caster, { emotes: [emote('dev', 'http://127.0.0.1:9/e.png')], badges: [] })).status, 200);
  assert.deepEqual(((await (await call('GET', `/api/streams/${s}/images`, caster)).json()) as { emotes: unknown[] }).emotes, [emote('dev', 'http://127.0.0.1:9/e.png')]);
});

test('an imported set adds its emotes, the display lists only allowed origins, and the names become emotes in messages', async () => {
  const s = 'img-import';
  const caster = await tokenOf('importcaster', { [s]: ['broadcaster'] });
  // A name already stored from another origin stays; the import replaces a same name.
  await call('PUT', `/api/streams/${s}/images`, caster, {
    emotes: [{ name: 'elsewhere', url: 'https://img.other.example/e.png', animated: false }, { name: 'catJAM', url: 'https://cdn.7tv.app/old', animated: false }],
    badges: [{ role: 'subscriber', url: 'https://cdn.betterttv.net/badge/sub.png' }],
  });
  const sevenTvSet = {
    id: 'set', name: 'channel set',
    emotes: [
      { id: '01AA', name: 'catJAM', data: { id: '01AA', name: 'catJAM', animated: true, host: { url: '//cdn.7tv.app/emote/01AA', files: [{ name: '1x.webp' }, { name: '2x.webp' }] } } },
      { id: '01BB', name: 'bad name', data: { id: '01BB', animated: false, host: { url: '//cdn.7tv.app/emote/01BB', files: [{ name: '1x.webp' }] } } },
    ],
  };
  const imported = await call('POST', `/api/streams/${s}/images/import`, caster, { format: '7tv', data: sevenTvSet });
  assert.equal(imported.status, 200);
  const body = (await imported.json()) as { emotes: Array<{ name: string; url: string }>; imported: number; skipped: number };
  assert.equal(body.imported, 1);
  assert.equal(body.skipped, 1);
  assert.deepEqual(body.emotes.map((e) => [e.name, e.url]), [['elsewhere', 'https://img.other.example/e.png'], ['catJAM', 'https://cdn.7tv.app/emote/01AA/2x.webp']]);

  // Anyone reads the display, without a token: img.other.example is not an allowed origin.
  const display = await (await call('GET', `/api/streams/${s}/display`)).json();
  assert.deepEqual(display, {
    links: true,
    emotes: [{ name: 'catJAM', url: 'https://cdn.7tv.app/emote/01AA/2x.webp', animated: true }],
    badges: [{ role: 'subscriber', url: 'https://cdn.betterttv.net/badge/sub.png' }],
  });
  assert.equal((await call('PUT', `/api/streams/${s}/rules`, caster, { blockedTerms: [], blockLinks: true })).status, 200);
  assert.equal(((await (await call('GET', `/api/streams/${s}/display`)).json()) as { links: boolean }).links, false);

  // The image names are the stream's emotes: marked in messages, and enough for emote-only mode.
  const viewer = await chatter(server, 'emoter', {}, s);
  const listener = await chatter(server, 'listener', {}, s);
  assert.equal((await viewer.request({ type: 'send', stream: s, text: 'hi catJAM elsewhere' })).type, 'ack');
  const line = await listener.next('msg');
  assert.deepEqual(line.emotes, [{ name: 'catJAM', start: 3, end: 9 }, { name: 'elsewhere', start: 10, end: 19 }]);
  assert.equal((await call('PATCH', `/api/streams/${s}/modes`, caster, { emoteOnly: true })).status, 200);
  assert.equal((await viewer.request({ type: 'send', stream: s, text: 'catJAM catJAM' })).type, 'ack');
  assert.equal((await viewer.request({ type: 'send', stream: s, text: 'catJAM words' })).code, 'emote_only');
  viewer.close();
  listener.close();
});

test('import refuses without a token before reading the body, and refuses sets with nothing usable', async () => {
  const s = 'img-import-refusals';
  const caster = await tokenOf('refusecaster', { [s]: ['broadcaster'] });
  const mod = await tokenOf('refusemod', { [s]: ['moderator'] });
  assert.equal((await call('POST', `/api/streams/${s}/images/import`, undefined, { format: 'bttv', data: [] })).status, 401);
  assert.equal((await call('POST', `/api/streams/${s}/images/import`, mod, { format: 'bttv', data: [{ id: 'aa', code: 'x' }] })).status, 403);
  const empty = await call('POST', `/api/streams/${s}/images/import`, caster, { format: 'ffz', data: { sets: {} } });
  assert.equal(empty.status, 400);
  assert.match(((await empty.json()) as { message: string }).message, /no usable emote/);
  assert.equal((await call('POST', `/api/streams/${s}/images/import`, caster, { format: 'twitch', data: [] })).status, 400);
  const huge = { format: 'bttv', data: 'x'.repeat(5 * 1024 * 1024) };
  assert.equal((await call('POST', `/api/streams/${s}/images/import`, caster, huge)).status, 413);
  // Without a token the answer is 401 at once, however large the body.
  assert.equal((await call('POST', `/api/streams/${s}/images/import`, undefined, huge)).status, 401);
});

test("the chat page's Content-Security-Policy allows images from the allowed origins only", async () => {
  const csp = (await fetch(`${server.url}/s/any`)).headers.get('content-security-policy') ?? '';
  assert.match(csp, /img-src 'self' data: https:\/\/cdn\.7tv\.app https:\/\/cdn\.betterttv\.net;/);
  const ops = (await fetch(`${server.url}/`)).headers.get('content-security-policy') ?? '';
  assert.match(ops, /img-src 'self' data:;/);
});
