import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { Authenticator, DEV_TOKEN_ISSUER, type TokenOptions } from '../../src/auth/tokens.ts';
import { userIdForName, userIn } from '../../src/auth/identity.ts';
import { ChatError } from '../../src/protocol/errors.ts';

// Token verification against a real JWKS endpoint served over HTTP.

const SECRET = 'a-shared-secret-of-at-least-32-bytes!';
let jwks: Server;
let jwksUrl: string;
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let rsa: PrivateKey;
let ec: PrivateKey;
let stranger: PrivateKey;

before(async () => {
  const rsaPair = await generateKeyPair('RS256');
  const ecPair = await generateKeyPair('ES256');
  stranger = (await generateKeyPair('RS256')).privateKey;
  rsa = rsaPair.privateKey;
  ec = ecPair.privateKey;
  const keys = [
    { ...(await exportJWK(rsaPair.publicKey)), kid: 'rsa', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ecPair.publicKey)), kid: 'ec', alg: 'ES256', use: 'sig' },
  ];
  jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
});
after(() => jwks.close());

/** A production authenticator unless `options` say otherwise. */
const authenticator = (options: Partial<TokenOptions>): Authenticator =>
  new Authenticator({ dev: false, jwtSecret: '', jwksUrl: '', jwtIssuer: '', jwtAudience: '', jwtAllowNoExp: false, ...options });

/** Roles are a null-prototype object (a stream may be named anything); compare as JSON. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const claims = { name: 'alice', roles: { s: ['moderator'] }, color: '#AABBCC' };

async function sign(key: PrivateKey | Uint8Array, alg: string, kid?: string, extra: (j: SignJWT) => SignJWT = (j) => j): Promise<string> {
  return extra(new SignJWT(claims).setProtectedHeader({ alg, kid }).setSubject('user-1').setExpirationTime('1h')).sign(key);
}

async function refusal(auth: Authenticator, token: unknown): Promise<string> {
  try {
    await auth.verify(token);
  } catch (err) {
    assert.ok(err instanceof ChatError);
    assert.equal(err.code, 'unauthorized');
    return err.message;
  }
  assert.fail('token was accepted');
}

test('HS256 with the shared secret; the identity carries roles and colour', async () => {
  const auth = authenticator({ jwtSecret: SECRET });
  const identity = await auth.verify(await sign(new TextEncoder().encode(SECRET), 'HS256'));
  assert.deepEqual(plain(identity), { id: 'user-1', name: 'alice', color: '#aabbcc', roles: { s: ['moderator'] } });
  assert.deepEqual(userIn(identity, 's').badges, ['moderator']);
  assert.deepEqual(userIn(identity, 'other').badges, []);
  assert.equal(await refusal(auth, await sign(new TextEncoder().encode('x'.repeat(40)), 'HS256')), 'invalid token: bad signature');
});

test('RS256 and ES256 from the JWKS URL; unknown keys, alg none and HS256 without a secret are refused', async () => {
  const auth = authenticator({ jwksUrl });
  assert.equal((await auth.verify(await sign(rsa, 'RS256', 'rsa'))).name, 'alice');
  assert.equal((await auth.verify(await sign(ec, 'ES256', 'ec'))).name, 'alice');
  assert.equal(await refusal(auth, await sign(stranger, 'RS256', 'rsa')), 'invalid token: bad signature');
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', name: 'x' })).toString('base64url')}.`;
  assert.equal(await refusal(auth, none), 'invalid token: unsupported algorithm');
  assert.equal(await refusal(auth, 'garbage'), 'invalid token: malformed');
  await refusal(auth, 42);
});

test('expiry, issuer and audience are enforced; bad claims are refused', async () => {
  const key = new TextEncoder().encode(SECRET);
  const auth = authenticator({ jwtSecret: SECRET, jwtIssuer: 'https://id.example', jwtAudience: 'chorus' });
  const good = await sign(key, 'HS256', undefined, (j) => j.setIssuer('https://id.example').setAudience('chorus'));
  assert.equal((await auth.verify(good)).id, 'user-1');
  await refusal(auth, await sign(key, 'HS256', undefined, (j) => j.setIssuer('https://evil.example').setAudience('chorus')));
  await refusal(auth, await sign(key, 'HS256', undefined, (j) => j.setIssuer('https://id.example').setAudience('other')));
  const expired = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setIssuer('https://id.example').setAudience('chorus').setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(key);
  assert.match(await refusal(auth, expired), /exp/);
  const badRoles = await new SignJWT({ name: 'bob', roles: { s: ['emperor'] } }).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setIssuer('https://id.example').setAudience('chorus').setExpirationTime('1h').sign(key);
  assert.match(await refusal(auth, badRoles), /roles/);
  const badName = await new SignJWT({ name: '<script>' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setIssuer('https://id.example').setAudience('chorus').setExpirationTime('1h').sign(key);
  assert.match(await refusal(auth, badName), /name/);
});

test('development tokens verify and derive the user id from the name', async () => {
  const auth = authenticator({ dev: true });
  const { token, identity } = await auth.issueDevToken('Zoe', { s: ['vip'] });
  assert.equal(identity.id, userIdForName('zoe'));
  assert.deepEqual(plain(await auth.verify(token)), { id: identity.id, name: 'Zoe', roles: { s: ['vip'] } });
  // Another server with its own random secret does not accept it.
  const other = authenticator({ dev: true });
  await refusal(other, token);
});

test('production refuses tokens without exp unless jwtAllowNoExp; development accepts them', async () => {
  const key = new TextEncoder().encode(SECRET);
  const forever = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('user-1').sign(key);
  assert.match(await refusal(authenticator({ jwtSecret: SECRET }), forever), /"exp" claim/);
  assert.equal((await authenticator({ jwtSecret: SECRET, jwtAllowNoExp: true }).verify(forever)).id, 'user-1');
  assert.equal((await authenticator({ jwtSecret: SECRET, dev: true }).verify(forever)).id, 'user-1');
});

test('development tokens are marked, and a production server sharing the secret refuses them', async () => {
  const dev = authenticator({ dev: true, jwtSecret: SECRET });
  const { token } = await dev.issueDevToken('mallory', { s: ['broadcaster'] });
  assert.equal(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).iss, DEV_TOKEN_ISSUER);
  assert.match(await refusal(authenticator({ jwtSecret: SECRET }), token), /development tokens/);
  assert.match(await refusal(authenticator({ jwtSecret: SECRET, jwtAllowNoExp: true }), token), /development tokens/);
  // A production server that requires an issuer refuses it for that too.
  await refusal(authenticator({ jwtSecret: SECRET, jwtIssuer: 'https://id.example' }), token);
  // A development server with an issuer configured takes both its own tokens and the issuer's.
  const devWithIssuer = authenticator({ dev: true, jwtSecret: SECRET, jwtIssuer: 'https://id.example' });
  assert.equal((await devWithIssuer.verify(token)).name, 'mallory');
  const key = new TextEncoder().encode(SECRET);
  assert.equal((await devWithIssuer.verify(await sign(key, 'HS256', undefined, (j) => j.setIssuer('https://id.example')))).name, 'alice');
  await refusal(devWithIssuer, await sign(key, 'HS256', undefined, (j) => j.setIssuer('https://evil.example')));
});

test('the client gets a fixed sentence; the verifier\'s own text goes to the debug log', async () => {
  const logged: unknown[] = [];
  const logger = { debug: (fields: unknown) => logged.push(fields), warn: () => assert.fail('a token\'s fault is not a warning') };
  const auth = authenticator({ jwtSecret: SECRET, logger });
  const key = new TextEncoder().encode(SECRET);
  const later = Math.floor(Date.now() / 1000) + 3_600;
  assert.equal(await refusal(auth, await sign(key, 'HS256', undefined, (j) => j.setNotBefore(later))), 'invalid token: it is not valid yet');
  assert.equal(await refusal(auth, 'eyJub3Q.e30.x'), 'invalid token: malformed');
  assert.equal(logged.length, 2);
  assert.match(String((logged[1] as { err: Error }).err.message), /JSON/);
});

test('a JWKS that cannot be fetched is the server\'s fault: a warning, and a sentence without its detail', async () => {
  const warned: unknown[] = [];
  const logger = { debug: () => assert.fail('not a token\'s fault'), warn: (fields: unknown) => warned.push(fields) };
  const auth = authenticator({ jwksUrl: 'http://127.0.0.1:9/jwks.json', logger });
  assert.equal(await refusal(auth, await sign(rsa, 'RS256', 'rsa')), 'invalid token: it could not be verified');
  assert.equal(warned.length, 1);
});
