// The YouTube Data API live-chat layer (docs/youtube.md), driven by Google's
// own client, @googleapis/youtube, pointed at Chorus through its rootUrl, with
// a Chorus token as its OAuth access token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { auth, youtube, type youtube_v3 } from '@googleapis/youtube';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import type { TestClient } from '../support/ws-client.ts';
import { apiCall } from '../support/api.ts';
import { removeDir } from '../support/temp-dir.ts';

const CHAT = 'ytchat';
const ADMIN_TOKEN = 'an-admin-token-of-at-least-32-bytes!';
let server: TestServer;
let watcher: TestClient;

before(async () => {
  // A page of at most 3 lines, so paging shows with a few.
  server = await startTestServer(['--replay-max', '3', '--admin-token', ADMIN_TOKEN]);
  watcher = await chatter(server, 'watcher', {}, CHAT);
});
after(async () => {
  watcher.close();
  await server.stop();
  removeDir(server.dataDir);
});

interface Signed {
  api: youtube_v3.Youtube;
  token: string;
  id: string;
}

/** Google's client for `name`, signed in with a Chorus development token. */
async function client(name: string, roles: string[] = []): Promise<Signed> {
  const { token, user } = await devToken(server.url, name, { [CHAT]: roles });
  const oauth = new auth.OAuth2();
  oauth.setCredentials({ access_token: token });
  return { api: youtube({ version: 'v3', auth: oauth, rootUrl: `${server.url}/` }), token, id: user.id };
}

function post(c: Signed, messageText: string) {
  return c.api.liveChatMessages.insert({ part: ['snippet'], requestBody: { snippet: { liveChatId: CHAT, type: 'textMessageEvent', textMessageDetails: { messageText } } } });
}

function list(c: Signed, pageToken?: string) {
  return c.api.liveChatMessages.list({ liveChatId: CHAT, part: ['snippet', 'authorDetails'], maxResults: 200, ...(pageToken === undefined ? {} : { pageToken }) });
}

/** The status and Google error envelope a call was refused with. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; body: { error: { code: number; message: string; errors: Array<{ domain: string; reason: string; message: string }> } } }> {
  try {
    await call;
  } catch (err) {
    const response = (err as { response?: { status: number; data: unknown } }).response;
    assert.ok(response !== undefined, `no HTTP answer: ${String(err)}`);
    return { status: response.status, body: response.data as never };
  }
  assert.fail('the call was not refused');
}

function reasonOf(r: Awaited<ReturnType<typeof refusal>>): [number, number, string, string] {
  const e = r.body.error;
  assert.equal(e.errors.length, 1);
  assert.equal(e.errors[0]!.message, e.message);
  return [r.status, e.code, e.errors[0]!.domain, e.errors[0]!.reason];
}

test('posting through the client is a Chorus line; listing pages by nextPageToken with no gap', async () => {
  const alice = await client('alice', ['subscriber']);
  const first = await post(alice, 'hello from youtube');
  assert.equal(first.status, 200);
  const line = await watcher.next('msg', (f) => `${CHAT}.${f.id}` === first.data.id);
  assert.equal(line.text, 'hello from youtube');
  assert.deepEqual(first.data.snippet, {
    type: 'textMessageEvent', liveChatId: CHAT, authorChannelId: alice.id, publishedAt: new Date(line.ts).toISOString(),
    hasDisplayContent: true, displayMessage: 'hello from youtube', textMessageDetails: { messageText: 'hello from youtube' },
  });
  assert.equal(first.data.authorDetails, undefined, 'only the parts asked for');

  for (let i = 1; i <= 4; i++) await post(alice, `line ${i}`);
  const newest = await list(alice);
  assert.deepEqual(newest.data.items!.map((m) => m.snippet!.displayMessage), ['line 2', 'line 3', 'line 4'], 'the newest page, oldest first');
  assert.equal(newest.data.kind, 'youtube#liveChatMessageListResponse');
  assert.equal(newest.data.pollingIntervalMillis, 2000);
  assert.deepEqual(newest.data.pageInfo, { totalResults: 3, resultsPerPage: 3 });
  assert.equal(newest.data.offlineAt, undefined);
  assert.deepEqual(newest.data.items![0]!.authorDetails, { channelId: alice.id, displayName: 'alice', isVerified: false, isChatOwner: false, isChatSponsor: true, isChatModerator: false });

  for (let i = 5; i <= 8; i++) await post(alice, `line ${i}`);
  const seen: string[] = [];
  let token = newest.data.nextPageToken!;
  for (let page = 0; page < 4; page++) {
    const next = await list(alice, token);
    seen.push(...next.data.items!.map((m) => m.snippet!.displayMessage!));
    assert.ok(next.data.nextPageToken, 'a token every time, to poll on');
    token = next.data.nextPageToken!;
  }
  assert.deepEqual(seen, ['line 5', 'line 6', 'line 7', 'line 8'], 'three, then one, then nothing new');

  const mine = await post(alice, 'line 9');
  const polled = await list(alice, token);
  assert.deepEqual(polled.data.items!.map((m) => m.id), [mine.data.id]);
});

test('a moderator deletes a line; a viewer may not, and is told in Google\'s error envelope', async () => {
  const bob = await client('bob');
  const mod = await client('moddy', ['moderator']);
  const owner = await client('owner', ['broadcaster']);
  const line = await post(bob, 'delete me');

  const refused = await refusal(bob.api.liveChatMessages.delete({ id: line.data.id! }));
  assert.deepEqual(reasonOf(refused), [403, 403, 'global', 'forbidden']);
  assert.equal(refused.body.error.message, 'only the broadcaster and moderators of this stream may do that');

  const deleted = await mod.api.liveChatMessages.delete({ id: line.data.id! });
  assert.equal(deleted.status, 204);
  const page = await list(mod);
  assert.ok(!page.data.items!.some((m) => m.id === line.data.id), 'gone from the list');

  const ownerLine = await post(owner, 'the broadcaster speaks');
  assert.deepEqual(reasonOf(await refusal(mod.api.liveChatMessages.delete({ id: ownerLine.data.id! }))), [403, 403, 'youtube.liveChat', 'modificationNotAllowed']);
  assert.deepEqual(reasonOf(await refusal(mod.api.liveChatMessages.delete({ id: `${CHAT}.no-such-line` }))), [404, 404, 'youtube.liveChat', 'liveChatMessageNotFound']);
  assert.deepEqual(reasonOf(await refusal(mod.api.liveChatMessages.delete({ id: 'not-an-id-we-gave' }))), [404, 404, 'youtube.liveChat', 'liveChatMessageNotFound']);
});

test('bans: temporary is a timeout, permanent a ban, delete lifts either; the hierarchy holds', async () => {
  const carol = await client('carol');
  const mod = await client('moddy', ['moderator']);
  const owner = await client('owner', ['broadcaster']);
  const ban = (by: Signed, type: string, channelId: string, banDurationSeconds?: string) => by.api.liveChatBans.insert({ part: ['snippet'], requestBody: { snippet: { liveChatId: CHAT, type, banDurationSeconds, bannedUserDetails: { channelId } } } });

  const timeout = await ban(mod, 'temporary', carol.id, '300');
  assert.deepEqual(timeout.data, { kind: 'youtube#liveChatBan', id: `${CHAT}.${carol.id}`, snippet: { liveChatId: CHAT, type: 'temporary', banDurationSeconds: '300', bannedUserDetails: { channelId: carol.id } } });
  const cleared = await watcher.next('clear', (f) => f.user === carol.id);
  assert.deepEqual([cleared.reason, cleared.seconds], ['timeout', 300]);
  const timedOut = await refusal(post(carol, 'let me talk'));
  assert.deepEqual(reasonOf(timedOut), [403, 403, 'global', 'forbidden']);
  assert.match(timedOut.body.error.message, /timed out/);

  assert.equal((await mod.api.liveChatBans.delete({ id: timeout.data.id! })).status, 204);
  assert.equal((await post(carol, 'thanks')).status, 200);

  const permanent = await ban(mod, 'permanent', carol.id);
  assert.equal(permanent.data.snippet!.banDurationSeconds, undefined);
  assert.deepEqual(reasonOf(await refusal(post(carol, 'still here?'))), [403, 403, 'global', 'forbidden']);
  await mod.api.liveChatBans.delete({ id: permanent.data.id! });
  assert.equal((await post(carol, 'back')).status, 200);

  assert.deepEqual(reasonOf(await refusal(ban(carol, 'permanent', mod.id))), [403, 403, 'youtube.liveChat', 'insufficientPermissions']);
  assert.deepEqual(reasonOf(await refusal(ban(mod, 'permanent', owner.id))), [403, 403, 'youtube.liveChat', 'liveChatBanInsertionNotAllowed']);
  assert.deepEqual(reasonOf(await refusal(ban(mod, 'temporary', carol.id))), [400, 400, 'global', 'invalidValue']);
});

test('moderators: the granted ones, paged, for moderators only', async () => {
  const owner = await client('owner', ['broadcaster']);
  const viewer = await client('viewer');
  const users = await Promise.all(['m1', 'm2', 'm3'].map((name) => devToken(server.url, name)));
  for (const { user } of users) {
    assert.equal((await apiCall(server.url, 'PUT', `/api/streams/${CHAT}/roles/${user.id}`, owner.token, { roles: ['moderator'] })).status, 204);
  }
  await apiCall(server.url, 'PUT', `/api/streams/${CHAT}/roles/${viewer.id}`, owner.token, { roles: ['vip'] });

  const first = await owner.api.liveChatModerators.list({ liveChatId: CHAT, part: ['snippet'], maxResults: 2 });
  assert.equal(first.data.kind, 'youtube#liveChatModeratorListResponse');
  assert.deepEqual(first.data.pageInfo, { totalResults: 3, resultsPerPage: 2 });
  const second = await owner.api.liveChatModerators.list({ liveChatId: CHAT, part: ['snippet'], maxResults: 2, pageToken: first.data.nextPageToken! });
  assert.equal(second.data.nextPageToken, undefined);
  const listed = [...first.data.items!, ...second.data.items!];
  const ids = users.map(({ user }) => user.id).sort();
  assert.deepEqual(listed.map((m) => m.snippet!.moderatorDetails!.channelId), ids, 'the VIP is not one');
  assert.deepEqual(listed[0], { kind: 'youtube#liveChatModerator', id: `${CHAT}.${ids[0]}`, snippet: { liveChatId: CHAT, moderatorDetails: { channelId: ids[0] } } });

  assert.deepEqual(reasonOf(await refusal(viewer.api.liveChatModerators.list({ liveChatId: CHAT, part: ['snippet'] }))), [403, 403, 'global', 'forbidden']);
});

test("the host site's subscription notices are YouTube's membership events; a raid stays text", async () => {
  const reader = await client('reader');
  const read = (pageToken?: string) => reader.api.liveChatMessages.list({ liveChatId: 'members', part: ['snippet'], maxResults: 200, ...(pageToken === undefined ? {} : { pageToken }) });
  let token = (await read()).data.nextPageToken!;
  const dana = { id: 'u1', name: 'Dana' };
  for (const notice of [
    { kind: 'sub', user: dana, system: 'Dana subscribed.', plan: '1000' },
    { kind: 'resub', user: dana, system: 'Dana subscribed for 7 months!', text: 'hello chat', months: 7, plan: '2000' },
    { kind: 'submysterygift', user: dana, system: 'Dana gifts 5 subs!', count: 5, plan: '1000' },
    { kind: 'raid', user: dana, system: '3 raiders from Dana have joined!', viewers: 3 },
  ]) {
    assert.equal((await apiCall(server.url, 'POST', '/api/streams/members/notices', ADMIN_TOKEN, notice)).status, 201);
  }
  const items: youtube_v3.Schema$LiveChatMessage[] = [];
  for (let page = 0; page < 2; page++) {
    const next = await read(token);
    items.push(...next.data.items!);
    token = next.data.nextPageToken!;
  }
  const [sub, resub, gifts, raid] = items.map((m) => m.snippet!);
  assert.deepEqual([sub!.type, sub!.newSponsorDetails, sub!.displayMessage, sub!.authorChannelId], ['newSponsorEvent', { memberLevelName: '1000', isUpgrade: false }, 'Dana subscribed.', 'u1']);
  assert.deepEqual([resub!.type, resub!.memberMilestoneChatDetails, resub!.displayMessage], ['memberMilestoneChatEvent', { memberLevelName: '2000', memberMonth: 7, userComment: 'hello chat' }, 'Dana subscribed for 7 months! hello chat']);
  assert.deepEqual([gifts!.type, gifts!.membershipGiftingDetails], ['membershipGiftingEvent', { giftMembershipsCount: 5, giftMembershipsLevelName: '1000' }]);
  assert.deepEqual([raid!.type, raid!.textMessageDetails, raid!.newSponsorDetails], ['textMessageEvent', { messageText: '3 raiders from Dana have joined!' }, undefined]);
  assert.equal(resub!.textMessageDetails, undefined, 'an event carries its own details only');
});

test('requests the client would not send: refused in the same envelope', async () => {
  const { token } = await devToken(server.url, 'raw');
  // `bearer` null: no Authorization header.
  const call = async (method: string, path: string, body?: unknown, bearer: string | null = token) => {
    const res = await apiCall(server.url, method, `/youtube/v3${path}`, bearer ?? undefined, body);
    const { error } = await res.json() as { error: { code: number; errors: Array<{ domain: string; reason: string }> } };
    return [res.status, error.code, error.errors[0]!.reason];
  };
  assert.deepEqual(await call('GET', '/liveChat/messages?part=snippet'), [400, 400, 'liveChatIdRequired']);
  assert.deepEqual(await call('GET', `/liveChat/messages?part=snippet&liveChatId=no%20spaces`), [400, 400, 'invalidLiveChatId']);
  assert.deepEqual(await call('GET', `/liveChat/messages?part=snippet,replies&liveChatId=${CHAT}`), [400, 400, 'unknownPart']);
  assert.deepEqual(await call('GET', `/liveChat/messages?part=snippet&liveChatId=${CHAT}&pageToken=bm90LWEtdG9rZW4`), [400, 400, 'invalidPageToken']);
  assert.deepEqual(await call('GET', `/liveChat/messages?part=snippet&liveChatId=${CHAT}&maxResults=5`), [400, 400, 'invalidValue']);
  assert.deepEqual(await call('GET', `/liveChat/messages?part=snippet&liveChatId=${CHAT}`, undefined, 'not-a-token'), [401, 401, 'authError']);
  const insert = (snippet: unknown, bearer: string | null = token) => call('POST', '/liveChat/messages?part=snippet', { snippet }, bearer);
  assert.deepEqual(await insert({ liveChatId: CHAT, type: 'textMessageEvent', textMessageDetails: { messageText: 'hi' } }, null), [401, 401, 'authError']);
  assert.deepEqual(await insert({ liveChatId: CHAT, type: 'textMessageEvent', textMessageDetails: {} }), [400, 400, 'messageTextRequired']);
  assert.deepEqual(await insert({ liveChatId: CHAT, type: 'textMessageEvent', textMessageDetails: { messageText: 'x'.repeat(600) } }), [400, 400, 'messageTextInvalid']);
  assert.deepEqual(await call('GET', '/liveChat/nothing'), [404, 404, 'notFound']);
  const sentence = await (await apiCall(server.url, 'GET', `/youtube/v3/liveChat/messages?part=snippet&liveChatId=a%20b`, token)).json() as { error: { message: string } };
  assert.equal(sentence.error.message, 'liveChatId: stream must be 1-64 characters of A-Z a-z 0-9 _ -', 'the field as YouTube names it, then Chorus\'s sentence');
});
