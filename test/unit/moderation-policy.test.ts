import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModerationPolicy, type ServerModerationConfig, type StreamModerationRules } from '../../src/moderation/moderation-policy.ts';

const NO_RULES: StreamModerationRules = { blockedTerms: [], blockLinks: false };

function policy(overrides: Partial<ServerModerationConfig> = {}, maxCachedStreams?: number): ModerationPolicy {
  return new ModerationPolicy(
    { blockedTerms: ['slur'], heldTerms: ['spoil*', 'refund'], blockLinks: false, blockPhones: false, blockEmails: false, ...overrides },
    { maxCachedStreams },
  );
}

test('a clean message is allowed', () => {
  assert.deepEqual(policy().evaluate('what a play, gg everyone', 's', NO_RULES, false), { action: 'allow' });
});

test('a server-wide blocked term refuses, evasions included', () => {
  const p = policy();
  for (const text of ['slur', 'you S L U R', 'ｓｌｕｒ', 's1ur', 'sluuuur', 'ѕlur']) {
    const verdict = p.evaluate(text, 's', NO_RULES, false);
    assert.equal(verdict.action, 'refuse', text);
    assert.equal(verdict.action === 'refuse' && verdict.rule, 'server_term');
  }
  assert.equal(p.evaluate('slurp', 's', NO_RULES, false).action, 'allow');
});

test('a held term holds the message for moderators', () => {
  const verdict = policy().evaluate('SPOILER: he dies', 's', NO_RULES, false);
  assert.equal(verdict.action, 'hold');
  assert.equal(verdict.action === 'hold' && verdict.rule, 'held_term');
});

test('a refusal wins over a hold', () => {
  const p = policy({ blockLinks: true });
  assert.equal(p.evaluate('spoilers and slur', 's', NO_RULES, false).action, 'refuse');
  const link = p.evaluate('spoilers at example.com', 's', NO_RULES, false);
  assert.equal(link.action === 'refuse' && link.rule, 'link');
  const own = p.evaluate('spoilers and pineapple', 's', { blockedTerms: ['pineapple'], blockLinks: false }, false);
  assert.equal(own.action === 'refuse' && own.rule, 'stream_term');
});

test('links, phone numbers and e-mail addresses are refused when switched on', () => {
  const off = policy();
  const on = policy({ blockLinks: true, blockPhones: true, blockEmails: true });
  const cases = [
    ['go to example.com', 'link'],
    ['https://example.org/x', 'link'],
    ['example (dot) com', 'link'],
    ['ｅｘａｍｐｌｅ．ｃｏｍ', 'link'],
    ['call me 555-123-4567', 'phone'],
    ['+44 20 7946 0958', 'phone'],
    ['５５５ １２３ ４５６７', 'phone'],
    ['mail me@example.com', 'email'],
    ['me (at) example (dot) com', 'email'],
  ] as const;
  for (const [text, rule] of cases) {
    assert.equal(off.evaluate(text, 's', NO_RULES, false).action, 'allow', text);
    const verdict = on.evaluate(text, 's', NO_RULES, false);
    assert.equal(verdict.action === 'refuse' && verdict.rule, rule, text);
  }
});

test('a stream\'s own rules apply to that stream only', () => {
  const p = policy();
  const rules: StreamModerationRules = { blockedTerms: ['pineapple', 'spoon*'], blockLinks: true };
  assert.equal(p.evaluate('p i n e a p p l e pizza', 'food', rules, false).action, 'refuse');
  assert.equal(p.evaluate('spoons!', 'food', rules, false).action, 'refuse');
  assert.equal(p.evaluate('bit.ly/x', 'food', rules, false).action, 'refuse');
  assert.equal(p.evaluate('pineapple pizza', 'other', NO_RULES, false).action, 'allow');
  assert.equal(p.evaluate('bit.ly/x', 'other', NO_RULES, false).action, 'allow');
});

test('exempt senders skip link, phone, e-mail and held rules, but not blocked terms', () => {
  const p = policy({ blockLinks: true, blockPhones: true, blockEmails: true });
  const rules: StreamModerationRules = { blockedTerms: ['pineapple'], blockLinks: true };
  for (const text of ['example.com', '555-123-4567', 'me@example.com', 'spoilers ahead']) {
    assert.equal(p.evaluate(text, 's', rules, true).action, 'allow', text);
    assert.notEqual(p.evaluate(text, 's', rules, false).action, 'allow', text);
  }
  assert.equal(p.evaluate('slur', 's', rules, true).action, 'refuse');
  assert.equal(p.evaluate('pineapple', 's', rules, true).action, 'refuse');
});

test('reasons name the kind of rule, never the term', () => {
  const terms = ['slur', 'pineapple', 'refund'];
  const p = policy({ blockLinks: true, blockPhones: true, blockEmails: true });
  const rules: StreamModerationRules = { blockedTerms: ['pineapple'], blockLinks: false };
  const verdicts = ['slur', 'pineapple', 'refund please', 'example.com', '555-123-4567', 'me@example.com'].map((text) => p.evaluate(text, 's', rules, false));
  for (const verdict of verdicts) {
    assert.notEqual(verdict.action, 'allow');
    if (verdict.action === 'allow') continue;
    assert.ok(verdict.reason.length > 0);
    for (const term of terms) assert.ok(!verdict.reason.toLowerCase().includes(term), verdict.reason);
  }
  assert.equal(new Set(verdicts.map((v) => v.action !== 'allow' && v.reason)).size, verdicts.length, 'each kind has its own reason');
});

test('changed stream rules take effect at once; forgetStream drops the compiled copy', () => {
  const p = policy();
  const rules: StreamModerationRules = { blockedTerms: ['pineapple'], blockLinks: false };
  assert.equal(p.evaluate('pineapple', 's', rules, false).action, 'refuse');
  assert.equal(p.evaluate('pineapple', 's', { blockedTerms: ['pineapple'], blockLinks: false }, false).action, 'refuse', 'a fresh equal copy');
  assert.equal(p.evaluate('pineapple', 's', { blockedTerms: ['mango'], blockLinks: false }, false).action, 'allow', 'replaced');
  assert.equal(p.evaluate('mango', 's', { blockedTerms: ['mango'], blockLinks: false }, false).action, 'refuse');
  rules.blockedTerms = ['kiwi'];
  assert.equal(p.evaluate('kiwi', 's', rules, false).action, 'refuse', 'changed in place');
  rules.blockedTerms.push('lime');
  assert.equal(p.evaluate('lime', 's', rules, false).action, 'refuse', 'pushed in place');
  assert.equal(p.evaluate('example.com', 's', { ...rules, blockLinks: true }, false).action, 'refuse', 'blockLinks switched on');
  assert.equal(p.cachedStreams, 1);
  p.forgetStream('s');
  assert.equal(p.cachedStreams, 0);
  assert.equal(p.evaluate('lime', 's', rules, false).action, 'refuse');
});

test('compiled stream rules are bounded by the cache size', () => {
  const p = policy({}, 3);
  for (let i = 0; i < 10; i++) p.evaluate('hi', `stream${i}`, { blockedTerms: [`t${i}`], blockLinks: false }, false);
  assert.equal(p.cachedStreams, 3);
  assert.equal(p.evaluate('t1', 'stream1', { blockedTerms: ['t1'], blockLinks: false }, false).action, 'refuse', 'an evicted stream recompiles');
});

test('the server-wide configuration is copied, not referenced', () => {
  const config: ServerModerationConfig = { blockedTerms: ['slur'], heldTerms: [], blockLinks: false, blockPhones: false, blockEmails: false };
  const p = new ModerationPolicy(config);
  config.blockLinks = true;
  (config.blockedTerms as string[]).push('other');
  assert.equal(p.evaluate('example.com other', 's', NO_RULES, false).action, 'allow');
});

test('a 500-code-point adversarial message against 5,000 terms evaluates', (t) => {
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const word = (length: number): string => Array.from({ length }, () => letters[Math.floor(random() * 26)]).join('');
  const terms: string[] = [];
  for (let i = 0; i < 3000; i++) terms.push(word(3 + Math.floor(random() * 6)));
  for (let i = 0; i < 1024; i++) terms.push([...i.toString(2).padStart(10, '0')].map((bit) => (bit === '0' ? 'i' : 'l')).join(''));
  for (let n = 1; n <= 60; n++) terms.push('a'.repeat(n));
  for (let i = 0; i < 500; i++) terms.push(`${word(4)}*`);
  for (let i = 0; i < 416; i++) terms.push(`${word(3)} ${word(4)} ${word(3)}`);
  assert.equal(terms.length, 5000);
  const p = new ModerationPolicy({ blockedTerms: terms.slice(0, 2500), heldTerms: terms.slice(2500), blockLinks: true, blockPhones: true, blockEmails: true });
  const rules: StreamModerationRules = { blockedTerms: terms.slice(0, 1000).map((term) => `${term}x`), blockLinks: true };
  const adversarial = [
    '1 '.repeat(250),
    '1'.repeat(500),
    'a'.repeat(500),
    'a '.repeat(250),
    'ab '.repeat(167),
    'a.'.repeat(250),
    'a@'.repeat(250),
    '1-'.repeat(250),
    Array.from({ length: 100 }, () => 'b\u0430d 𝐛𝐚𝐝 b4d').join(' '),
    Array.from({ length: 250 }, () => letters[Math.floor(random() * 26)]).join(' '),
  ].map((text) => [...text].slice(0, 500).join(''));
  // Not a timing assertion (machines vary); the numbers are for the record.
  const worst = [0, 0];
  for (const pass of [0, 1]) {
    for (const text of adversarial) {
      const started = performance.now();
      const verdict = p.evaluate(text, 'adversary', rules, false);
      worst[pass] = Math.max(worst[pass], performance.now() - started);
      assert.ok(['allow', 'refuse', 'hold'].includes(verdict.action));
    }
  }
  t.diagnostic(`slowest adversarial evaluation: ${worst[0].toFixed(2)} ms cold, ${worst[1].toFixed(2)} ms on a second pass`);
});
