// tmi.js's own calls for the spam modes (r9kbeta(), r9kbetaoff(), followersonly(),
// followersonlyoff()), the ROOMSTATE tags they set, the refusals' msg-ids, and
// the first-msg tag, as a bot author sees them; irc-framework reads the same tags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { member, serverForFile } from '../support/servers.ts';
import { tmiBot } from '../support/irc-clients.ts';

const server = await serverForFile();
const bot = (name: string, roles: Record<string, string[]> = {}) => tmiBot(server, name, roles);

test('r9kbeta(), followersonly() and their off calls resolve, reach other bots as events and v1 clients as state', async () => {
  const mod = await bot('SpamMod', { spam: ['moderator'] });
  const viewer = await bot('SpamViewer');
  await mod.client.join('#spam');
  await viewer.client.join('#spam');
  const [, joinState] = await viewer.events.next('roomstate', (channel: string, tags: Record<string, unknown>) => channel === '#spam' && tags['r9k'] !== undefined);
  assert.equal(joinState['r9k'], false);
  assert.equal(joinState['followers-only'], '-1');
  const web = await member(server, 'spam', 'spamweb');

  assert.deepEqual(await mod.client.r9kbeta('#spam'), ['#spam']);
  assert.deepEqual((await viewer.events.next('r9kbeta')).slice(1), [true]);
  assert.equal((await web.next('state', (f) => f.modes.uniqueChatMinutes > 0)).modes.uniqueChatMinutes, 10);
  await assert.rejects(mod.client.r9kbeta('#spam'), /already_r9k_on/);
  assert.deepEqual(await mod.client.r9kbetaoff('#spam'), ['#spam']);
  assert.deepEqual((await viewer.events.next('r9kbeta')).slice(1), [false]);
  await assert.rejects(mod.client.r9kbetaoff('#spam'), /already_r9k_off/);

  assert.deepEqual(await mod.client.followersonly('#spam', 15), ['#spam', 15]);
  assert.deepEqual((await viewer.events.next('followersonly')).slice(1), [true, 15]);
  assert.equal((await web.next('state', (f) => f.modes.knownForMinutes === 15)).modes.knownForMinutes, 15);
  assert.deepEqual(await mod.client.followersonly('#spam', 15), ['#spam', 15], 'unchanged still resolves (on the ROOMSTATE)');
  assert.deepEqual(await mod.client.followersonlyoff('#spam'), ['#spam']);
  assert.deepEqual((await viewer.events.next('followersonly')).slice(1), [false, 0]);
  assert.equal((await web.next('state', (f) => f.modes.knownForMinutes === -1)).modes.knownForMinutes, -1);

  await assert.rejects(viewer.client.r9kbeta('#spam'), /no_permission/);
  await assert.rejects(viewer.client.followersonly('#spam', 5), /no_permission/);
});

test('refusals arrive as notices with msg_r9k, msg_duplicate and msg_followersonly; a first line carries first-msg=1', async () => {
  const mod = await bot('RefMod', { refusals: ['moderator'] });
  const talker = await bot('RefTalker');
  const listener = await bot('RefListener');
  for (const b of [mod, talker, listener]) await b.client.join('#refusals');
  const refusal = async (text: string): Promise<string> => {
    await talker.client.say('#refusals', text);
    return (await talker.events.next('notice', (channel: string) => channel === '#refusals'))[1] as string;
  };

  await talker.client.say('#refusals', 'my first words');
  const [, firstTags] = await listener.events.next('message', (_c: string, _t: unknown, m: string) => m === 'my first words');
  assert.equal(firstTags['first-msg'], true);
  assert.equal(firstTags['returning-chatter'], false);
  assert.equal(await refusal('my first words'), 'msg_duplicate');
  await talker.client.say('#refusals', 'second words');
  const [, secondTags] = await listener.events.next('message', (_c: string, _t: unknown, m: string) => m === 'second words');
  assert.equal(secondTags['first-msg'], false);

  await mod.client.r9kbeta('#refusals');
  await listener.client.say('#refusals', 'copypasta here');
  assert.equal(await refusal('COPYPASTA here'), 'msg_r9k');
  await mod.client.r9kbetaoff('#refusals');

  await mod.client.followersonly('#refusals', 30);
  assert.equal(await refusal('am I known?'), 'msg_followersonly');
});
