import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientFrame, type Parsed } from '../../src/protocol/client-frames.ts';
import { validNonce } from '../../src/protocol/nonce.ts';

// Frames are validated by the shared schemas (src/protocol/schemas.ts); a refusal
// is one clear sentence with the frame's nonce, as PROTOCOL.md's `invalid` error.

const parse = (frame: unknown): Parsed => parseClientFrame(JSON.stringify(frame));

function refused(frame: unknown, message: string | RegExp, nonce?: string | number): void {
  const parsed = parse(frame);
  assert.equal(parsed.ok, false, `accepted ${JSON.stringify(frame)}`);
  if (parsed.ok) return;
  if (typeof message === 'string') assert.equal(parsed.message, message);
  else assert.match(parsed.message, message);
  assert.equal(parsed.nonce, nonce);
}

test('each frame type parses into its own fields; extra keys stay behind', () => {
  assert.deepEqual(parse({ type: 'send', stream: 's', text: 'hi', nonce: 'n', extra: 1 }), { ok: true, frame: { type: 'send', stream: 's', text: 'hi', nonce: 'n' } });
  assert.deepEqual(parse({ type: 'auth', token: 't' }), { ok: true, frame: { type: 'auth', token: 't', nonce: undefined } });
  assert.deepEqual(parse({ type: 'join', stream: 'a-b_C', history: 5, since: null }), { ok: true, frame: { type: 'join', stream: 'a-b_C', history: 5, since: undefined, nonce: undefined } });
  assert.deepEqual(parse({ type: 'leave', stream: 's', nonce: 3 }), { ok: true, frame: { type: 'leave', stream: 's', nonce: 3 } });
  assert.deepEqual(parse({ type: 'ping', nonce: 0 }), { ok: true, frame: { type: 'ping', nonce: 0 } });
  assert.deepEqual(parse({ type: 'acknowledge', stream: 's', nonce: 'a', extra: 1 }), { ok: true, frame: { type: 'acknowledge', stream: 's', nonce: 'a' } });
  refused({ type: 'acknowledge', nonce: 'a' }, /stream/, 'a');
});

test('every moderator action parses', () => {
  const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
    [{ action: 'delete', id: 'm1' }, { action: 'delete', id: 'm1' }],
    [{ action: 'timeout', user: 'u', seconds: 600 }, { action: 'timeout', user: 'u', seconds: 600 }],
    [{ action: 'ban', user: 'u' }, { action: 'ban', user: 'u' }],
    [{ action: 'ban', user: 'u', reason: 'spam bot' }, { action: 'ban', user: 'u', reason: 'spam bot' }],
    [{ action: 'timeout', user: 'u', seconds: 60, reason: 'calm' }, { action: 'timeout', user: 'u', seconds: 60, reason: 'calm' }],
    [{ action: 'delete', id: 'm1', reason: 'rude' }, { action: 'delete', id: 'm1', reason: 'rude' }],
    [{ action: 'unban', user: 'u', reason: 'not kept' }, { action: 'unban', user: 'u' }],
    [{ action: 'unban', user: 'u' }, { action: 'unban', user: 'u' }],
    [{ action: 'modes', modes: { slowSeconds: 30, emoteOnly: true } }, { action: 'modes', modes: { slowSeconds: 30, emoteOnly: true } }],
    [{ action: 'rules', rules: { blockedTerms: [' spoil* '] } }, { action: 'rules', rules: { blockedTerms: ['spoil*'], blockLinks: false, emotes: [] } }],
    [{ action: 'approve', id: 'h1' }, { action: 'approve', id: 'h1' }],
    [{ action: 'deny', id: 'h1' }, { action: 'deny', id: 'h1' }],
    [{ action: 'grant', user: 'u', role: 'vip' }, { action: 'grant', user: 'u', role: 'vip' }],
    [{ action: 'revoke', user: 'u', role: 'moderator', junk: true }, { action: 'revoke', user: 'u', role: 'moderator' }],
    [{ action: 'warn', user: 'u', reason: 'be kind' }, { action: 'warn', user: 'u', reason: 'be kind' }],
    [{ action: 'restrict', user: 'u' }, { action: 'restrict', user: 'u' }],
    [{ action: 'unrestrict', user: 'u' }, { action: 'unrestrict', user: 'u' }],
    [{ action: 'clear', user: 'ignored' }, { action: 'clear' }],
  ];
  for (const [action, expected] of cases) {
    assert.deepEqual(parse({ type: 'mod', stream: 's', nonce: 'k', ...action }), { ok: true, frame: { type: 'mod', stream: 's', nonce: 'k', ...expected } });
  }
});

test('a frame that is not an object, or has no known type, is refused in a sentence', () => {
  assert.deepEqual(parseClientFrame('{"type":"send","nonce":"k"'), { ok: false, message: 'frame is not valid JSON', nonce: 'k' });
  refused([1], 'frame must be a JSON object');
  refused('send', 'frame must be a JSON object');
  refused({ nonce: 1 }, 'frame has no type', 1);
  refused({ type: 'shout', nonce: 'a' }, 'unknown frame type "shout"', 'a');
  refused({ type: 'x'.repeat(100) }, `unknown frame type "${'x'.repeat(32)}"`);
});

test('a bad nonce is refused without being echoed', () => {
  refused({ type: 'ping', nonce: 'x'.repeat(65) }, 'nonce must be a string of at most 64 characters or a number');
  refused({ type: 'ping', nonce: { a: 1 } }, 'nonce must be a string of at most 64 characters or a number');
  refused({ type: 'ping', nonce: true }, 'nonce must be a string of at most 64 characters or a number');
  // Whatever else is wrong, the nonce's refusal comes first, as it did.
  refused({ type: 'send', nonce: [] }, 'nonce must be a string of at most 64 characters or a number');
  refused({ type: 'nope', nonce: false }, 'nonce must be a string of at most 64 characters or a number');
  assert.equal(validNonce(Infinity), undefined);
  assert.equal(validNonce(-1.5), -1.5);
  assert.equal(validNonce('x'.repeat(64)), 'x'.repeat(64));
});

test('each field refusal names the field and its bounds, and carries the nonce', () => {
  const stream = 'stream must be 1-64 characters of A-Z a-z 0-9 _ -';
  refused({ type: 'send', text: 'hi', nonce: 'k' }, stream, 'k');
  refused({ type: 'send', stream: 'no spaces', text: 'hi', nonce: 'k' }, stream, 'k');
  refused({ type: 'join', stream: 'x'.repeat(65), nonce: 2 }, stream, 2);
  refused({ type: 'leave', stream: 5 }, stream);
  refused({ type: 'send', stream: 's', text: 5, nonce: 'k' }, 'text must be a string', 'k');
  // The text's length is the chat service's (too_long), judged on the raw length before the text is read.
  assert.equal(parse({ type: 'send', stream: 's', text: '' }).ok, true);
  assert.deepEqual(parse({ type: 'send', stream: 's', text: 'hi', parent: 'p1', announce: 'blue' }), { ok: true, frame: { type: 'send', stream: 's', text: 'hi', nonce: undefined, parent: 'p1', announce: 'blue' } });
  refused({ type: 'send', stream: 's', text: 'hi', parent: '' }, 'parent must be a string of 1-128 characters');
  refused({ type: 'send', stream: 's', text: 'hi', announce: 'red' }, 'announce must be one of primary, blue, green, orange, purple');
  refused({ type: 'mod', stream: 's', action: 'pin', id: 'x', seconds: 86_401 }, 'seconds must be an integer from 1 to 86400');
  refused({ type: 'auth' }, 'token must be a string of 1-8192 characters');
  refused({ type: 'auth', token: '' }, 'token must be a string of 1-8192 characters');
  refused({ type: 'join', stream: 's', history: -1 }, `history must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
  refused({ type: 'join', stream: 's', since: 1.5 }, `since must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
  refused({ type: 'join', stream: 's', since: '5' }, `since must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
});

test('moderator action refusals', () => {
  const mod = (action: Record<string, unknown>) => ({ type: 'mod', stream: 's', nonce: 'm', ...action });
  refused(mod({ action: 'nuke' }), 'action must be one of delete, timeout, ban, unban, modes, rules, approve, deny, grant, revoke, pin, unpin, warn, restrict, unrestrict, clear', 'm');
  refused(mod({}), /^action must be one of/, 'm');
  refused({ type: 'mod', stream: 'bad name', action: 'nuke' }, 'stream must be 1-64 characters of A-Z a-z 0-9 _ -');
  refused(mod({ action: 'delete' }), 'id must be a string of 1-128 characters', 'm');
  refused(mod({ action: 'approve', id: 'x'.repeat(129) }), 'id must be a string of 1-128 characters', 'm');
  refused(mod({ action: 'ban', user: '' }), 'user must be a string of 1-128 characters', 'm');
  refused(mod({ action: 'ban', user: 'u', reason: 'x'.repeat(201) }), 'reason must be a string of 1-200 characters', 'm');
  refused(mod({ action: 'warn', user: 'u' }), 'reason must be a string of 1-500 characters', 'm');
  refused(mod({ action: 'warn', user: 'u', reason: 'x'.repeat(501) }), 'reason must be a string of 1-500 characters', 'm');
  refused(mod({ action: 'timeout', user: 'u', seconds: 0 }), 'seconds must be an integer from 1 to 1209600', 'm');
  refused(mod({ action: 'timeout', user: 'u', seconds: 1_209_601 }), 'seconds must be an integer from 1 to 1209600', 'm');
  refused(mod({ action: 'grant', user: 'u', role: 'broadcaster' }), 'role must be one of moderator, vip', 'm');
  refused(mod({ action: 'modes' }), 'modes must be an object', 'm');
  refused(mod({ action: 'modes', modes: [] }), 'modes must be an object', 'm');
  refused(mod({ action: 'modes', modes: { slowSeconds: 86_401 } }), 'slowSeconds must be an integer from 0 to 86400', 'm');
  refused(mod({ action: 'modes', modes: { emoteOnly: 1 } }), 'emoteOnly must be true or false', 'm');
  refused(mod({ action: 'modes', modes: { loud: true } }), 'unknown mode "loud"', 'm');
  refused(mod({ action: 'rules', rules: null }), 'rules must be an object', 'm');
  refused(mod({ action: 'rules', rules: { blockedTerms: 'x' } }), 'blockedTerms must be a list of at most 1000 strings', 'm');
  refused(mod({ action: 'rules', rules: { blockedTerms: Array(1001).fill('x') } }), 'blockedTerms must be a list of at most 1000 strings', 'm');
  refused(mod({ action: 'rules', rules: { blockedTerms: ['  '] } }), 'each of blockedTerms must be a non-empty string of at most 100 characters', 'm');
  refused(mod({ action: 'rules', rules: { blockedTerms: ['x'.repeat(101)] } }), 'each of blockedTerms must be a non-empty string of at most 100 characters', 'm');
  refused(mod({ action: 'rules', rules: { emotes: [''] } }), 'each of emotes must be a non-empty string of at most 64 characters', 'm');
  refused(mod({ action: 'rules', rules: { blockLinks: 'yes' } }), 'blockLinks must be true or false', 'm');
  refused(mod({ action: 'rules', rules: { sneaky: 1 } }), 'unknown rule "sneaky"', 'm');
});

test('lengths count characters (code points), as the chat text limit does', () => {
  assert.equal(parse({ type: 'ping', nonce: '😀'.repeat(64) }).ok, true);
  assert.equal(parse({ type: 'mod', stream: 's', action: 'rules', rules: { emotes: ['😀'.repeat(64)] } }).ok, true);
});
