// A refused token is answered with one of a few fixed sentences at every door
// (v1 auth, HTTP bearer, IRC PASS renewal), never with the verifier's own
// text (JSON parser errors, jose's messages).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startProductionServer, TEST_SECRET, type TestServer } from '../support/servers.ts';
import { signedToken } from '../support/tokens.ts';
import { refusalTexts } from '../support/sign-in.ts';
import type { RunningServer } from '../../src/server.ts';

let production: TestServer & { server: RunningServer };
const CLAIMS = { iss: 'https://id.example', aud: 'chorus' };

before(async () => {
  production = await startProductionServer(['--jwt-issuer', CLAIMS.iss, '--jwt-audience', CLAIMS.aud]);
});
after(async () => {
  await production?.stop();
});

/** How the three doors refuse `token`; IRC signs in with a good token first and refuses `token` as a renewal. */
async function refusals(token: string) {
  return refusalTexts(production, token, await signedToken('alice', CLAIMS));
}

const b64 = (text: string): string => Buffer.from(text).toString('base64url');

/** A correctly signed HS256 token whose payload is `payload` as it is (not necessarily JSON). */
function signedRaw(payload: string): string {
  const input = `${b64('{"alg":"HS256"}')}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', TEST_SECRET).update(input).digest('base64url')}`;
}

// Anything a library could say: JSON.parse's and jose's wording.
const LIBRARY_TEXT = /JSON|Unexpected|JWS|JWT|JOSE|claim timestamp|Compact|must be|jose|check failed/i;

test('a malformed token is refused with "invalid token: malformed" and no library text, over WebSocket, HTTP and IRC', async () => {
  const malformed = [
    'not-a-token',
    `${b64('{"alg":')}.${b64('{}')}.x`,
    signedRaw('not json at all'),
    signedRaw('["an array"]'),
    'a.b.c.d',
  ];
  for (const token of malformed) {
    assert.deepEqual(await refusals(token), { ws: 'invalid token: malformed', http: 'invalid token: malformed', irc: 'invalid token: malformed' }, token);
  }
});

test('every other refusal is one fixed sentence, the same at every door', async () => {
  const claims = CLAIMS;
  const cases: Array<[string, string]> = [
    [await signedToken('alice', { ...claims, expiresIn: '-1m' }), 'invalid token: it has expired'],
    [await signedToken('alice', { ...claims, secret: 'another secret of at least 32 bytes!!' }), 'invalid token: bad signature'],
    [await signedToken('alice', { ...claims, iss: 'https://evil.example' }), 'invalid token: wrong issuer'],
    [await signedToken('alice', { ...claims, aud: 'other' }), 'invalid token: wrong audience'],
    [await signedToken('alice', { ...claims, expiresIn: null }), 'invalid token: missing required "exp" claim'],
    [`${b64('{"alg":"none"}')}.${b64('{"sub":"x","name":"alice"}')}.`, 'invalid token: unsupported algorithm'],
  ];
  for (const [token, sentence] of cases) {
    const texts = await refusals(token);
    assert.deepEqual(texts, { ws: sentence, http: sentence, irc: sentence }, sentence);
    for (const text of Object.values(texts)) assert.doesNotMatch(text, LIBRARY_TEXT);
  }
});
