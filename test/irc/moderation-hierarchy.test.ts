// The moderation hierarchy over IRC, through tmi.js unmodified: a moderator's
// /ban, /timeout and /delete of the broadcaster or another moderator are
// refused with Twitch's msg-ids, and a timed-out moderator's commands with
// no_permission (its /unban of itself included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile } from '../support/servers.ts';
import { tmiBot } from '../support/irc-clients.ts';

const server = await serverForFile();
const bot = (name: string, roles: Record<string, string[]> = {}) => tmiBot(server, name, roles, '#ladder');

/** Says a line and waits for `witness` to see it: the stream then knows the speaker's login and badges. */
async function say(speaker: Awaited<ReturnType<typeof bot>>, witness: Awaited<ReturnType<typeof bot>>, text: string): Promise<string> {
  await speaker.client.say('#ladder', text);
  const [, tags] = await witness.events.next('message', (_c, _t, m: string) => m === text);
  return tags.id as string;
}

test('IRC: moderators cannot /ban, /timeout or /delete the broadcaster or another moderator; a timed-out moderator has no powers', async () => {
  const caster = await bot('LadderCaster', { ladder: ['broadcaster'] });
  const mod = await bot('LadderMod', { ladder: ['moderator'] });
  const other = await bot('LadderOther', { ladder: ['moderator'] });
  const viewer = await bot('LadderViewer');
  const casterLine = await say(caster, viewer, 'the broadcaster speaks');
  const otherLine = await say(other, viewer, 'another moderator speaks');
  await say(viewer, caster, 'a viewer speaks');

  await assert.rejects(mod.client.ban('#ladder', 'laddercaster'), /bad_ban_broadcaster/);
  await assert.rejects(mod.client.ban('#ladder', 'ladderother'), /bad_ban_mod/);
  await assert.rejects(mod.client.timeout('#ladder', 'laddercaster', 1), /bad_timeout_broadcaster/);
  await assert.rejects(mod.client.timeout('#ladder', 'ladderother', 1), /bad_timeout_mod/);
  await assert.rejects(mod.client.deletemessage('#ladder', casterLine), /bad_delete_message_broadcaster/);
  await assert.rejects(mod.client.deletemessage('#ladder', otherLine), /bad_delete_message_mod/);
  await assert.rejects(caster.client.ban('#ladder', 'laddercaster'), /bad_ban_self/);

  // The broadcaster times the moderator out: until it ends, every command is refused.
  assert.deepEqual(await caster.client.timeout('#ladder', 'laddermod', 600), ['#ladder', 'laddermod', 600, '']);
  await assert.rejects(mod.client.unban('#ladder', 'laddermod'), /no_permission/);
  await assert.rejects(mod.client.ban('#ladder', 'ladderviewer'), /no_permission/);
  await assert.rejects(mod.client.slow('#ladder', 5), /no_permission/);
  assert.deepEqual(await caster.client.unban('#ladder', 'laddermod'), ['#ladder', 'laddermod']);
  assert.deepEqual(await mod.client.timeout('#ladder', 'ladderviewer', 5), ['#ladder', 'ladderviewer', 5, ''], 'powers are back');
});

test('IRC: a token moderator or broadcaster who joined but never chatted cannot be banned by a moderator; the broadcaster still can', async () => {
  const caster = await bot('SilentCaster', { ladder: ['broadcaster'] });
  const mod = await bot('SilentMod', { ladder: ['moderator'] });
  await bot('SilentOther', { ladder: ['moderator'] });

  await assert.rejects(mod.client.ban('#ladder', 'silentcaster'), /bad_ban_broadcaster/);
  await assert.rejects(mod.client.ban('#ladder', 'silentother'), /bad_ban_mod/);
  await assert.rejects(mod.client.timeout('#ladder', 'silentother', 5), /bad_timeout_mod/);
  assert.deepEqual(await caster.client.timeout('#ladder', 'silentother', 5), ['#ladder', 'silentother', 5, '']);
  assert.deepEqual(await caster.client.ban('#ladder', 'silentother'), ['#ladder', 'silentother', '']);
});
