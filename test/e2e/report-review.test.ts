// The reports queue's routes: a report with its line in context, and a
// one-step resolution (dismiss, delete, timeout, ban) with roles enforced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devToken, member, serverForFile } from '../support/servers.ts';
import { apiCall } from '../support/api.ts';

const S = 'reported';
const server = await serverForFile();

test('a report shows its line with three lines each side; resolving times out the author and dismisses it; viewers may not', async () => {
  const author = await member(server, S, 'rvauthor');
  const ids: string[] = [];
  for (let i = 1; i <= 8; i++) ids.push((await author.request({ type: 'send', stream: S, text: `line ${i}` })).id);
  const reporter = await devToken(server.url, 'rvreporter');
  const filed = await (await apiCall(server.url, 'POST', `/api/streams/${S}/reports`, reporter.token, { messageId: ids[4], reason: 'rude' })).json() as { id: string };
  const mod = await devToken(server.url, 'rvmod', { [S]: ['moderator'] });

  assert.equal((await apiCall(server.url, 'GET', `/api/streams/${S}/reports/${filed.id}`, reporter.token)).status, 403);
  const context = await (await apiCall(server.url, 'GET', `/api/streams/${S}/reports/${filed.id}`, mod.token)).json() as any;
  assert.equal(context.report.reason, 'rude');
  assert.equal(context.report.reporter.name, 'rvreporter');
  assert.equal(context.message.text, 'line 5');
  assert.deepEqual(context.before.map((m: { text: string }) => m.text), ['line 2', 'line 3', 'line 4']);
  assert.deepEqual(context.after.map((m: { text: string }) => m.text), ['line 6', 'line 7', 'line 8']);

  assert.equal((await apiCall(server.url, 'POST', `/api/streams/${S}/reports/${filed.id}/resolve`, reporter.token, { action: 'ban' })).status, 403);
  assert.equal((await apiCall(server.url, 'POST', `/api/streams/${S}/reports/${filed.id}/resolve`, mod.token, { action: 'timeout', seconds: 60 })).status, 204);
  assert.equal((await author.next('clear')).reason, 'timeout');
  assert.equal((await author.request({ type: 'send', stream: S, text: 'still here?' })).code, 'timed_out');
  assert.equal((await apiCall(server.url, 'GET', `/api/streams/${S}/reports/${filed.id}`, mod.token)).status, 400, 'resolved reports leave the queue');

  const other = await member(server, S, 'rvother');
  const bad = await other.request({ type: 'send', stream: S, text: 'delete me please' });
  const second = await (await apiCall(server.url, 'POST', `/api/streams/${S}/reports`, reporter.token, { messageId: bad.id, reason: 'spam' })).json() as { id: string };
  assert.equal((await apiCall(server.url, 'POST', `/api/streams/${S}/reports/${second.id}/resolve`, mod.token, { action: 'delete' })).status, 204);
  assert.deepEqual((await other.next('retract')).ids, [bad.id]);
  assert.equal((await apiCall(server.url, 'POST', `/api/streams/${S}/reports/${second.id}/resolve`, mod.token, { action: 'dismiss' })).status, 400);
});
