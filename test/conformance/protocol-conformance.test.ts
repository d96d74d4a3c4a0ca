// Independent conformance test of the Chorus wire contract, written only from
// ../shared/PROTOCOL.md, docs/protocol.md and the README's Quick start.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import WebSocket from 'ws';

const ROOT = new URL('../../', import.meta.url).pathname;
const HOST = '127.0.0.1';

type Frame = { type: string; [k: string]: any };

/** The PROTOCOL.md fields of a Modes object: a server may add modes of its own (an extension), never change these. */
function protocolModes(modes: any): unknown {
  return { slowSeconds: modes.slowSeconds, subscribersOnly: modes.subscribersOnly, emoteOnly: modes.emoteOnly };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- server
class ServerProc {
  child: ChildProcess | null = null;
  output = '';
  exit: Promise<{ code: number | null; signal: string | null }> | null = null;
  port: number;
  dataDir: string;
  constructor(port: number, dataDir: string) {
    this.port = port;
    this.dataDir = dataDir;
  }
  async start(): Promise<void> {
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(this.port), CHORUS_DATA_DIR: this.dataDir },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (d) => { this.output += d.toString(); });
    child.stderr?.on('data', (d) => { this.output += d.toString(); });
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const deadline = Date.now() + 30_000;
    let exited = false;
    void this.exit.then(() => { exited = true; });
    while (Date.now() < deadline) {
      if (exited) throw new Error('server exited during start:\n' + this.output.slice(-3000));
      try {
        const r = await fetch(`http://${HOST}:${this.port}/healthz`);
        await r.arrayBuffer();
        if (r.status === 200) return;
      } catch { /* not up yet */ }
      await sleep(100);
    }
    throw new Error('server not healthy within 30 s:\n' + this.output.slice(-3000));
  }
  signal(sig: NodeJS.Signals): void {
    if (this.child?.pid !== undefined) {
      try { process.kill(-this.child.pid, sig); } catch { /* already gone */ }
    }
  }
  async stop(): Promise<void> {
    if (!this.child || !this.exit) return;
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      this.signal('SIGKILL'); // leftovers of the group, if any
      return;
    }
    this.signal('SIGTERM');
    const res = await Promise.race([this.exit, sleep(15_000).then(() => null)]);
    if (res === null) {
      this.signal('SIGKILL');
      await Promise.race([this.exit, sleep(5_000)]);
    }
  }
}

// ---------------------------------------------------------------- client
class Client {
  ws: WebSocket;
  frames: Frame[] = [];
  waiters: Array<() => void> = [];
  closed: Promise<{ code: number; reason: string }>;
  isClosed = false;
  nonceCounter = 0;
  opened: Promise<void>;
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: reason.toString() });
        this.wake();
      });
    });
    this.ws.on('message', (data, isBinary) => {
      assert.equal(isBinary, false, 'server frames are text');
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
  }
  static async connect(port: number): Promise<Client> {
    const c = new Client(`ws://${HOST}:${port}/ws`);
    await c.opened;
    return c;
  }
  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  async waitFor(pred: (f: Frame) => boolean, what: string, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0 || this.isClosed) {
        throw new Error(`timeout waiting for ${what}; queued: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }
  waitType(type: string, timeoutMs = 5000): Promise<Frame> {
    return this.waitFor((f) => f.type === type, type, timeoutMs);
  }
  sendRaw(s: string): void {
    this.ws.send(s);
  }
  send(f: object): void {
    this.ws.send(JSON.stringify(f));
  }
  async request(f: Frame, timeoutMs = 5000): Promise<Frame> {
    const nonce = `n${++this.nonceCounter}`;
    this.send({ ...f, nonce });
    return this.waitFor((x) => (x.type === 'ack' || x.type === 'error') && x.nonce === nonce, `answer to ${f.type} ${nonce}`, timeoutMs);
  }
  async auth(token: string): Promise<Frame> {
    this.send({ type: 'auth', token });
    return this.waitFor((f) => (f.type === 'welcome' && f.user !== null) || f.type === 'error', 'auth answer');
  }
  async join(stream: string, extra: object = {}): Promise<Frame> {
    this.send({ type: 'join', stream, ...extra });
    return this.waitFor((f) => f.type === 'joined' && f.stream === stream, `joined ${stream}`);
  }
  /** waits for live message `id` delivered as msg or inside a batch */
  async waitMsg(stream: string, id: string, timeoutMs = 5000): Promise<Frame> {
    let found: Frame | undefined;
    await this.waitFor((f) => {
      if (f.type === 'msg' && f.stream === stream && f.id === id) { found = f; return true; }
      if (f.type === 'batch' && f.stream === stream && Array.isArray(f.msgs)) {
        const m = f.msgs.find((x: Frame) => x.id === id);
        if (m) { found = m; return true; }
      }
      return false;
    }, `msg ${id}`, timeoutMs);
    return found as Frame;
  }
  close(): void {
    try { this.ws.close(); } catch { /* ignore */ }
  }
}

// ---------------------------------------------------------------- helpers
let server: ServerProc;
let dataDir: string;
let port: number;
const clients: Client[] = [];

async function client(): Promise<Client> {
  const c = await Client.connect(port);
  clients.push(c);
  await c.waitType('welcome');
  return c;
}

async function devToken(name: string, roles: Record<string, string[]> = {}): Promise<{ token: string; user: any }> {
  const r = await fetch(`http://${HOST}:${port}/api/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, roles }),
  });
  assert.equal(r.status >= 200 && r.status < 300, true, `dev token status ${r.status}`);
  return (await r.json()) as { token: string; user: any };
}

async function authed(name: string, roles: Record<string, string[]> = {}): Promise<{ c: Client; user: any; token: string }> {
  const { token, user } = await devToken(name, roles);
  const c = await client();
  const w = await c.auth(token);
  assert.equal(w.type, 'welcome', JSON.stringify(w));
  return { c, user, token };
}

const runId = Math.random().toString(36).slice(2, 8);
function streamName(s: string): string {
  return `${s}_${runId}`;
}

function assertError(f: Frame, code: string): void {
  assert.equal(f.type, 'error', `expected error ${code}, got ${JSON.stringify(f)}`);
  assert.equal(f.code, code, `expected code ${code}, got ${JSON.stringify(f)}`);
  assert.equal(typeof f.message, 'string');
}

function assertAck(f: Frame): void {
  assert.equal(f.type, 'ack', `expected ack, got ${JSON.stringify(f)}`);
  assert.equal(typeof f.id, 'string');
  assert.equal(Number.isInteger(f.seq), true);
  assert.equal(typeof f.ts, 'number');
  assert.equal(typeof f.sampled, 'boolean');
}

// ---------------------------------------------------------------- tests
describe('Chorus protocol conformance (from the documents only)', () => {
  const MAIN = streamName('main');
  const sentIds: string[] = [];
  const sentSeqs: number[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chorus-conf-'));
    port = await freePort();
    server = new ServerProc(port, dataDir);
    await server.start();
  });

  after(async () => {
    for (const c of clients) c.close();
    if (server) await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('welcome on connect has user null and limits', async () => {
    const c = await Client.connect(port);
    clients.push(c);
    const w = await c.waitType('welcome');
    assert.equal(c.frames.length === 0 || c.frames[0].type !== 'welcome', true);
    assert.equal(w.user, null);
    assert.equal(typeof w.limits, 'object');
    assert.equal(w.limits.maxTextLength, 500);
    assert.equal(w.limits.maxFrameBytes, 8192);
    assert.equal(w.limits.historyDefault, 100);
    assert.equal(w.limits.historyMax, 500);
  });

  it('POST /api/dev/token gives a token and a stable user id', async () => {
    const a = await devToken('ConfAlice');
    const b = await devToken('confalice');
    assert.equal(typeof a.token, 'string');
    assert.equal(a.token.split('.').length, 3);
    assert.equal(typeof a.user.id, 'string');
    assert.match(a.user.id, /^u_[0-9a-f]{16}$/);
    assert.equal(a.user.id, b.user.id, 'same (lower-cased) name, same id');
    assert.equal(a.user.name, 'ConfAlice');
  });

  it('auth answers welcome with the user, empty badges and roles', async () => {
    const { token, user } = await devToken('conf_bcast', { [MAIN]: ['broadcaster'] });
    const c = await client();
    const w = await c.auth(token);
    assert.equal(w.type, 'welcome');
    assert.equal(w.user.id, user.id);
    assert.equal(w.user.name, 'conf_bcast');
    assert.deepEqual(w.user.badges, []);
    assert.deepEqual(w.roles, { [MAIN]: ['broadcaster'] });
    assert.equal(typeof w.limits, 'object');
  });

  it('auth with a bad token is unauthorized', async () => {
    const c = await client();
    const f = await c.auth('not.a.jwt');
    assertError(f, 'unauthorized');
  });

  it('join answers joined with seq, history and state', async () => {
    const c = await client();
    const j = await c.join(MAIN);
    assert.equal(Number.isInteger(j.seq), true);
    assert.deepEqual(j.history, []);
    assert.equal(typeof j.state.viewers, 'number');
    assert.deepEqual(protocolModes(j.state.modes), { slowSeconds: 0, subscribersOnly: false, emoteOnly: false });
    assert.equal(typeof j.state.rate.perSecond, 'number');
    assert.equal(typeof j.state.rate.sampling, 'boolean');
    assert.equal(typeof j.state.rate.keepRatio, 'number');
  });

  it('send is acked and delivered to another viewer as msg or batch', async () => {
    const viewer = await client();
    const vj = await viewer.join(MAIN);
    const { c } = await authed('conf_sender');
    await c.join(MAIN);
    const ack = await c.request({ type: 'send', stream: MAIN, text: 'hello  world Kappa' });
    assertAck(ack);
    assert.equal(ack.sampled, false);
    assert.ok(ack.seq > vj.seq);
    const m = await viewer.waitMsg(MAIN, ack.id);
    assert.equal(m.seq, ack.seq);
    assert.equal(m.ts, ack.ts);
    assert.equal(m.stream, MAIN);
    assert.equal(m.text, 'hello world Kappa', 'whitespace runs become one space');
    assert.equal(m.user.name, 'conf_sender');
    sentIds.push(ack.id);
    sentSeqs.push(ack.seq);
    const ack2 = await c.request({ type: 'send', stream: MAIN, text: 'second line' });
    assertAck(ack2);
    assert.ok(ack2.seq > ack.seq, 'seq strictly increasing');
    await viewer.waitMsg(MAIN, ack2.id);
    sentIds.push(ack2.id);
    sentSeqs.push(ack2.seq);
  });

  it('a later join holds the messages in history, oldest first', async () => {
    const c = await client();
    const j = await c.join(MAIN);
    const ids = j.history.map((m: Frame) => m.id);
    assert.deepEqual(ids.slice(-2), sentIds);
    assert.equal(j.seq, sentSeqs[1]);
    const j1 = await c.join(MAIN, { history: 1 });
    assert.deepEqual(j1.history.map((m: Frame) => m.id), [sentIds[1]]);
  });

  it('join with since resumes after a seq', async () => {
    const c = await client();
    const j = await c.join(MAIN, { since: sentSeqs[0] });
    assert.deepEqual(j.history.map((m: Frame) => m.id), [sentIds[1]]);
    const j0 = await c.join(MAIN, { since: 0 });
    assert.deepEqual(j0.history.map((m: Frame) => m.id), sentIds);
  });

  it('ping gets pong with the nonce', async () => {
    const c = await client();
    c.send({ type: 'ping', nonce: 'p-1' });
    const p = await c.waitType('pong');
    assert.equal(p.nonce, 'p-1');
    c.send({ type: 'ping', nonce: 42 });
    const p2 = await c.waitType('pong');
    assert.equal(p2.nonce, 42);
  });

  it('leave answers left; send afterwards is not_joined; leave again is not_joined', async () => {
    const { c } = await authed('conf_leaver');
    await c.join(MAIN);
    c.send({ type: 'leave', stream: MAIN });
    const l = await c.waitType('left');
    assert.equal(l.stream, MAIN);
    assertError(await c.request({ type: 'send', stream: MAIN, text: 'x' }), 'not_joined');
    c.send({ type: 'leave', stream: MAIN, nonce: 'lv' });
    const e = await c.waitType('error');
    assertError(e, 'not_joined');
  });

  it('invalid JSON and unknown type get invalid and the connection stays open', async () => {
    const c = await client();
    c.sendRaw('{not json');
    assertError(await c.waitType('error'), 'invalid');
    c.send({ type: 'frobnicate', nonce: 'u1' });
    const e = await c.waitType('error');
    assertError(e, 'invalid');
    c.send({ type: 'ping', nonce: 'alive' });
    assert.equal((await c.waitType('pong')).nonce, 'alive');
    assert.equal(c.isClosed, false);
  });

  it('anonymous send is unauthorized', async () => {
    const c = await client();
    await c.join(MAIN);
    assertError(await c.request({ type: 'send', stream: MAIN, text: 'hi' }), 'unauthorized');
  });

  it('send without join is not_joined', async () => {
    const { c } = await authed('conf_nojoin');
    assertError(await c.request({ type: 'send', stream: streamName('other'), text: 'hi' }), 'not_joined');
  });

  it('501 code points is too_long, 500 is accepted', async () => {
    const { c } = await authed('conf_long');
    await c.join(MAIN);
    assertError(await c.request({ type: 'send', stream: MAIN, text: 'a'.repeat(501) }), 'too_long');
    assertAck(await c.request({ type: 'send', stream: MAIN, text: 'b'.repeat(500) }));
  });

  it('a viewer mod action is forbidden', async () => {
    const { c } = await authed('conf_viewer');
    await c.join(MAIN);
    assertError(await c.request({ type: 'mod', stream: MAIN, action: 'modes', modes: { slowSeconds: 5 } }), 'forbidden');
    assertError(await c.request({ type: 'mod', stream: MAIN, action: 'delete', id: sentIds[0] }), 'forbidden');
  });

  it('slow mode: state frame, then slow_mode on the second send', async () => {
    const S = streamName('slow');
    const { c: b } = await authed('conf_b_slow', { [S]: ['broadcaster'] });
    await b.join(S);
    const { c: v } = await authed('conf_v_slow');
    await v.join(S);
    const ack = await b.request({ type: 'mod', stream: S, action: 'modes', modes: { slowSeconds: 30 } });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    const st = await v.waitFor((f) => f.type === 'state' && f.stream === S && f.modes?.slowSeconds === 30, 'state slow');
    assert.deepEqual(protocolModes(st.modes), { slowSeconds: 30, subscribersOnly: false, emoteOnly: false });
    assert.equal(typeof st.viewers, 'number');
    assert.equal(typeof st.rate, 'object');
    assertAck(await v.request({ type: 'send', stream: S, text: 'first' }));
    const e = await v.request({ type: 'send', stream: S, text: 'second' });
    assertError(e, 'slow_mode');
    assert.equal(typeof e.retryAfterMs, 'number');
    assert.ok(e.retryAfterMs > 0 && e.retryAfterMs <= 30_000);
    // broadcaster is privileged for modes; its joined state must now show the mode
    const j = await (await client()).join(S);
    assert.equal(j.state.modes.slowSeconds, 30);
  });

  it('subscribers-only refuses a non-subscriber and admits a subscriber', async () => {
    const S = streamName('subs');
    const { c: b } = await authed('conf_b_subs', { [S]: ['broadcaster'] });
    await b.join(S);
    assert.equal((await b.request({ type: 'mod', stream: S, action: 'modes', modes: { subscribersOnly: true } })).type, 'ack');
    await b.waitFor((f) => f.type === 'state' && f.modes?.subscribersOnly === true, 'state subs');
    const { c: v } = await authed('conf_v_subs');
    await v.join(S);
    assertError(await v.request({ type: 'send', stream: S, text: 'hi' }), 'subscribers_only');
    const { c: s } = await authed('conf_s_subs', { [S]: ['subscriber'] });
    await s.join(S);
    assertAck(await s.request({ type: 'send', stream: S, text: 'hi' }));
  });

  it('emote-only refuses plain text; the broadcaster is exempt', async () => {
    const S = streamName('emote');
    const { c: b } = await authed('conf_b_emote', { [S]: ['broadcaster'] });
    await b.join(S);
    assert.equal((await b.request({ type: 'mod', stream: S, action: 'modes', modes: { emoteOnly: true } })).type, 'ack');
    await b.waitFor((f) => f.type === 'state' && f.modes?.emoteOnly === true, 'state emote');
    const { c: v } = await authed('conf_v_emote');
    await v.join(S);
    assertError(await v.request({ type: 'send', stream: S, text: 'plain words' }), 'emote_only');
    assertAck(await b.request({ type: 'send', stream: S, text: 'plain words' }));
  });

  it('ban: clear frame, then banned; unban lets the user post again', async () => {
    const S = streamName('ban');
    const { c: m } = await authed('conf_m_ban', { [S]: ['moderator'] });
    await m.join(S);
    const { c: v, user } = await authed('conf_v_ban');
    await v.join(S);
    assertAck(await v.request({ type: 'send', stream: S, text: 'before ban' }));
    const a = await m.request({ type: 'mod', stream: S, action: 'ban', user: user.id });
    assert.equal(a.type, 'ack', JSON.stringify(a));
    const cl = await m.waitFor((f) => f.type === 'clear' && f.stream === S, 'clear');
    assert.equal(cl.user, user.id);
    assert.equal(cl.reason, 'ban');
    assertError(await v.request({ type: 'send', stream: S, text: 'after ban' }), 'banned');
    assert.equal((await m.request({ type: 'mod', stream: S, action: 'unban', user: user.id })).type, 'ack');
    assertAck(await v.request({ type: 'send', stream: S, text: 'after unban' }));
  });

  it('timeout: clear frame with seconds, then timed_out', async () => {
    const S = streamName('to');
    const { c: m } = await authed('conf_m_to', { [S]: ['moderator'] });
    await m.join(S);
    const { c: v, user } = await authed('conf_v_to');
    await v.join(S);
    const a = await m.request({ type: 'mod', stream: S, action: 'timeout', user: user.id, seconds: 60 });
    assert.equal(a.type, 'ack', JSON.stringify(a));
    const cl = await v.waitFor((f) => f.type === 'clear' && f.stream === S, 'clear');
    assert.equal(cl.user, user.id);
    assert.equal(cl.reason, 'timeout');
    assert.equal(cl.seconds, 60);
    const e = await v.request({ type: 'send', stream: S, text: 'during timeout' });
    assertError(e, 'timed_out');
  });

  it('rules with blockedTerms refuse a matching message with blocked', async () => {
    const S = streamName('rules');
    const { c: b } = await authed('conf_b_rules', { [S]: ['broadcaster'] });
    await b.join(S);
    const a = await b.request({ type: 'mod', stream: S, action: 'rules', rules: { blockedTerms: ['zorblax'], blockLinks: false } });
    assert.equal(a.type, 'ack', JSON.stringify(a));
    const { c: v } = await authed('conf_v_rules');
    await v.join(S);
    const e = await v.request({ type: 'send', stream: S, text: 'you are a zorblax' });
    assertError(e, 'blocked');
    assert.equal(e.message.includes('zorblax'), false, 'message never names the term');
    assertError(await v.request({ type: 'send', stream: S, text: 'you are a z0rblaaax' }), 'blocked');
    assertAck(await v.request({ type: 'send', stream: S, text: 'you are a friend' }));
  });

  it('more than 20 sends in 30 s by an ordinary user is rate_limited', async () => {
    const S = streamName('rate');
    const { c: v } = await authed('conf_v_rate');
    await v.join(S);
    for (let i = 0; i < 20; i++) {
      assertAck(await v.request({ type: 'send', stream: S, text: `msg ${i}` }));
      await sleep(70); // stay under 20 frames per second per connection
    }
    const e = await v.request({ type: 'send', stream: S, text: 'one too many' });
    assertError(e, 'rate_limited');
    assert.equal(typeof e.retryAfterMs, 'number');
    assert.ok(e.retryAfterMs > 0 && e.retryAfterMs <= 30_000);
  });

  it('mod delete sends retract with reason deleted and hides it from history', async () => {
    const S = streamName('del');
    const { c: m } = await authed('conf_m_del', { [S]: ['moderator'] });
    await m.join(S);
    const { c: v } = await authed('conf_v_del');
    await v.join(S);
    const ack = await v.request({ type: 'send', stream: S, text: 'delete me' });
    assertAck(ack);
    const a = await m.request({ type: 'mod', stream: S, action: 'delete', id: ack.id });
    assert.equal(a.type, 'ack', JSON.stringify(a));
    assert.equal(a.id, undefined, 'mod ack has no id');
    const r = await v.waitFor((f) => f.type === 'retract' && f.stream === S, 'retract');
    assert.deepEqual(r.ids, [ack.id]);
    assert.equal(r.reason, 'deleted');
    const j = await (await client()).join(S);
    assert.equal(j.history.some((x: Frame) => x.id === ack.id), false);
  });

  it('HTTP: POST 201, GET ?after= polling, GET state', async () => {
    const S = streamName('http');
    const { token } = await devToken('conf_http');
    const base = `http://${HOST}:${port}/api/streams/${S}`;
    const p = await fetch(`${base}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: 'over http' }),
    });
    assert.equal(p.status, 201);
    const body = (await p.json()) as any;
    assert.equal(typeof body.id, 'string');
    assert.equal(Number.isInteger(body.seq), true);
    assert.equal(typeof body.ts, 'number');
    assert.equal(typeof body.sampled, 'boolean');
    const anon = await fetch(`${base}/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x' }),
    });
    assert.equal(anon.status, 401);
    assert.equal(((await anon.json()) as any).code, 'unauthorized');
    const g = await fetch(`${base}/messages?after=0`);
    assert.equal(g.status, 200);
    const poll = (await g.json()) as any;
    assert.deepEqual(poll.messages.map((m: any) => m.id), [body.id]);
    assert.equal(poll.messages[0].text, 'over http');
    assert.equal(typeof poll.next, 'number');
    assert.equal(poll.pollingIntervalMillis, 2000);
    const g2 = (await (await fetch(`${base}/messages?after=${poll.next}`)).json()) as any;
    assert.deepEqual(g2.messages, []);
    const st = await fetch(base);
    assert.equal(st.status, 200);
    const state = (await st.json()) as any;
    assert.deepEqual(protocolModes(state.modes), { slowSeconds: 0, subscribersOnly: false, emoteOnly: false });
    assert.equal(typeof state.viewers, 'number');
    assert.equal(typeof state.rate.sampling, 'boolean');
  });

  it('SIGTERM: reconnect frame, connection closes, process exits 0', async () => {
    const c = await client();
    await c.join(MAIN);
    server.signal('SIGTERM');
    const r = await c.waitType('reconnect', 10_000);
    assert.equal(typeof r.afterMs, 'number');
    assert.equal(r.afterMs, 1000);
    const closed = await Promise.race([c.closed, sleep(15_000).then(() => null)]);
    assert.notEqual(closed, null, 'connection closed');
    assert.equal(closed?.code, 1001);
    const ex = await Promise.race([server.exit, sleep(20_000).then(() => null)]);
    assert.notEqual(ex, null, 'process exited');
    // We observe npm, not the server: npm itself receives the group's SIGTERM and
    // ends by that signal, so the server's own exit status (contract: 0) is not
    // visible here. Accept npm's exit 0 or death by SIGTERM; check the server's pid is gone.
    assert.ok(ex?.code === 0 || ex?.signal === 'SIGTERM', `npm exit ${JSON.stringify(ex)}`);
    const pids = [...server.output.matchAll(/"pid":(\d+)/g)].map((x) => Number(x[1]));
    const serverPid = pids.find((x) => x !== server.child?.pid);
    if (serverPid !== undefined) {
      let alive = true;
      for (let i = 0; i < 100 && alive; i++) {
        try { process.kill(serverPid, 0); await sleep(100); } catch { alive = false; }
      }
      assert.equal(alive, false, `server pid ${serverPid} gone`);
    }
  });

  it('restart on the same data dir: since resume returns earlier messages and seq continues', async () => {
    await server.stop();
    server = new ServerProc(port, dataDir);
    await server.start();
    const c = await client();
    const j = await c.join(MAIN, { since: 0 });
    const ids = j.history.map((m: Frame) => m.id);
    for (const id of sentIds) assert.ok(ids.includes(id), `history after restart holds ${id}`);
    assert.ok(j.seq >= sentSeqs[1]);
    const { c: s } = await authed('conf_after_restart');
    await s.join(MAIN);
    const ack = await s.request({ type: 'send', stream: MAIN, text: 'after restart' });
    assertAck(ack);
    assert.ok(ack.seq > j.seq, `seq continues: ${ack.seq} > ${j.seq}`);
  });
});
