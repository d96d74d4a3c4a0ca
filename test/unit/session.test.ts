// The one session of every protocol (src/session/session.ts), against a
// small fake transport and codec: the rules the v1, IRC and SSE sessions
// share, checked once, without a socket. The protocols themselves run with
// real clients in test/e2e, test/irc and test/browser.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { Identity } from '../../src/auth/identity.ts';
import type { Accepted } from '../../src/chat/chat-service.ts';
import { OutboundBatch, OutboundFrame } from '../../src/fanout/outbound-frame.ts';
import type { JoinRequest, JoinResult } from '../../src/fanout/stream-hub.ts';
import type { Viewer } from '../../src/fanout/outbound-frame.ts';
import { ConnectionBudget } from '../../src/limits/connection-budget.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { ChatError } from '../../src/protocol/errors.ts';
import type { Codec, Decoded } from '../../src/session/codec.ts';
import { ShuttingDown, TooManyConnections, TooManyStreams } from '../../src/session/refusals.ts';
import { Session, type SessionDeps } from '../../src/session/session.ts';
import type { CloseReason, Transport, TransportEvents } from '../../src/session/transport.ts';

/** A wire that records what the session does to it. */
class FakeTransport implements Transport {
  readonly name = 'fake';
  readonly wsFramed = false;
  readonly deflated = false;
  open = true;
  backlog = 0;
  events!: TransportEvents;
  readonly written: string[] = [];
  readonly closes: CloseReason[] = [];
  pings = 0;

  listen(events: TransportEvents): void {
    this.events = events;
  }

  write(text: string): void {
    this.written.push(text);
  }

  writeShared(bytes: Buffer): boolean {
    this.written.push(bytes.toString());
    return true;
  }

  ping(): void {
    this.pings++;
  }

  close(reason: CloseReason): void {
    this.open = false;
    this.closes.push(reason);
  }

  /** The written lines whose first word is `kind`. */
  said(kind: string): string[] {
    return this.written.filter((w) => w.startsWith(kind + ' '));
  }
}

type Frame = { verb: string; args: string[] };
type FakeSession = Session<Frame, string>;

/** A line protocol: `auth TOKEN`, `join STREAM`, `leave STREAM`, `send STREAM TEXT`; each line's ref is its last word. */
class FakeCodec implements Codec<Frame, string> {
  readonly leftStreams: Array<[string, boolean]> = [];

  opened(): string {
    return 'hello';
  }

  decode(data: string): Decoded<Frame, string> {
    const [verb = '', ...args] = data.split(' ');
    if (!['auth', 'join', 'leave', 'send'].includes(verb)) return { ok: false, ref: data, refusal: new ChatError('invalid', 'unknown verb') };
    return { ok: true, frame: { verb, args } };
  }

  refOfUnread(data: string): string {
    return data.split(' ').at(-1)!;
  }

  handle(frame: Frame, session: FakeSession): Promise<void> | undefined {
    const [first = '', second = ''] = frame.args;
    switch (frame.verb) {
      case 'auth':
        return session.authenticate(first, 'auth').then((ok) => {
          if (ok) session.write(`welcome ${session.identity!.name}`);
        });
      case 'join':
        void session.join(first, { history: 0, since: undefined, roles: false }, second);
        return;
      case 'leave':
        if (!session.leave(first)) session.refuse(first, new ChatError('not_joined', 'not watching'));
        return;
      case 'send':
        void session.send(first, second, second, true).then((accepted) => {
          if (accepted !== undefined) session.write(`ack ${accepted.id}`);
        });
        return;
    }
  }

  refusal(err: ChatError, ref: string): string {
    return `error ${err.code} ${ref}`;
  }

  joined(stream: string, _result: JoinResult, _me: Identity | null, ref: string): string {
    return `joined ${stream} ${ref}`;
  }

  left(stream: string, asked: boolean): string {
    this.leftStreams.push([stream, asked]);
    return asked ? `left ${stream}` : '';
  }

  reconnect(afterMs: number): string {
    return `reconnect ${afterMs}`;
  }

  farewell(reason: CloseReason): string {
    return `bye ${reason}`;
  }

  deliver(batch: OutboundBatch, transport: Transport): void {
    transport.write(`batch ${batch.lines}`);
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A token whose `exp` the session reads after the fake Authenticator accepted it (unsigned: only decoded). */
function tokenFor(user: string, expSeconds?: number): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub: user, ...(expSeconds === undefined ? {} : { exp: expSeconds }) })}.x`;
}

const identityOf = (token: string): Identity => {
  const sub = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
  return { id: sub, name: sub, roles: {} };
};

/** A hub whose joins land when the test says so; like the real one, a join whose hand-over throws is not attached. */
class FakeHub {
  readonly pending: Array<() => void> = [];
  readonly attached = new Map<string, Set<Viewer>>();
  readonly cancelled: string[] = [];
  readonly left: string[] = [];

  join(stream: string, viewer: Viewer, _request: JoinRequest, onJoined: (result: JoinResult) => void): Promise<void> {
    const done = deferred<void>();
    this.pending.push(() => {
      try {
        onJoined({ seq: 0, history: [], state: {} as JoinResult['state'], truncated: false });
      } catch (err) {
        this.cancelled.push(stream);
        done.reject(err);
        return;
      }
      if (!this.attached.has(stream)) this.attached.set(stream, new Set());
      this.attached.get(stream)!.add(viewer);
      done.resolve();
    });
    return done.promise;
  }

  leave(stream: string, viewer: Viewer): void {
    this.left.push(stream);
    this.attached.get(stream)?.delete(viewer);
  }

  async landAll(): Promise<void> {
    await flush();
    for (const land of this.pending.splice(0)) land();
    await flush();
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Harness {
  session: FakeSession;
  transport: FakeTransport;
  codec: FakeCodec;
  hub: FakeHub;
  metrics: Metrics;
  verify: Array<{ token: string; answer: ReturnType<typeof deferred<Identity>> }>;
  sent: Array<{ identity: Identity | null; stream: string; text: string }>;
  closedCount: () => number;
}

function harness(overrides: Partial<SessionDeps> & { sendFails?: unknown; budget?: ConnectionBudget } = {}): Harness {
  const transport = new FakeTransport();
  const codec = new FakeCodec();
  const hub = new FakeHub();
  const metrics = new Metrics();
  const verify: Harness['verify'] = [];
  const sent: Harness['sent'] = [];
  let closed = 0;
  const deps: SessionDeps = {
    maxStreamsPerConnection: 2,
    resumeMax: 100,
    abuseStrikes: 3,
    abuseWindowMs: 60_000,
    inboundFramesPerSecond: 100,
    anonymousIdleMs: 60_000,
    socketSoftLimitBytes: 1_000,
    socketHardLimitBytes: 10_000,
    slowConsumerGraceMs: 60_000,
    auth: {
      verify: (token: string) => {
        const answer = deferred<Identity>();
        verify.push({ token, answer });
        return answer.promise;
      },
    },
    chat: {
      send: async (identity: Identity | null, stream: string, text: string): Promise<Accepted> => {
        if (overrides.sendFails !== undefined) throw overrides.sendFails;
        sent.push({ identity, stream, text });
        return { id: `m${sent.length}`, seq: sent.length, ts: 0, sampled: false, user: { id: identity?.id ?? 'anon', name: 'x', badges: [] } };
      },
      acknowledgeWarning: async () => false,
    },
    grants: { effective: async (identity: Identity | null) => identity },
    tokenRoles: { note: async () => undefined, noteAll: async () => undefined },
    hub: hub as unknown as SessionDeps['hub'],
    metrics,
    logger: pino({ level: 'silent' }),
    ...overrides,
  };
  const budget = overrides.budget ?? new ConnectionBudget({ maxConnections: 10, maxConnectionsPerIp: 10, maxConnectionsPerUser: 1 }, () => undefined);
  const slot = budget.admit('a');
  assert.ok(typeof slot !== 'string');
  const session = new Session(transport, codec, deps, slot, () => closed++);
  return { session, transport, codec, hub, metrics, verify, sent, closedCount: () => closed };
}

const counter = async (metrics: Metrics, name: string): Promise<number> => {
  const found = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (found?.values ?? []).reduce((sum, v) => sum + v.value, 0);
};

test('the codec greets on open, and the session stays anonymous until a sign-in', () => {
  const h = harness();
  assert.deepEqual(h.transport.written, ['hello']);
  assert.equal(h.session.signedIn, false);
  assert.equal(h.session.viewerId, h.session.id);
});

test('frames after a sign-in wait for it: a send right after auth is not anonymous', async () => {
  const h = harness();
  const token = tokenFor('alice');
  h.transport.events.received(`auth ${token}`, false);
  h.transport.events.received('join s j1', false);
  h.transport.events.received('send s n1', false);
  await flush();
  assert.equal(h.hub.pending.length, 0, 'the join waits behind the auth');
  h.verify[0]!.answer.resolve(identityOf(token));
  await flush();
  await h.hub.landAll();
  await flush();
  assert.deepEqual(h.transport.said('welcome'), ['welcome alice']);
  assert.deepEqual(h.sent.map((s) => s.identity?.id), ['alice']);
  assert.equal(h.session.viewerId, 'alice');
});

test('a renewal by another user is refused and changes nothing; the same user renews', async () => {
  const h = harness();
  const alice = tokenFor('alice');
  h.transport.events.received(`auth ${alice}`, false);
  h.verify[0]!.answer.resolve(identityOf(alice));
  await flush();
  const bob = tokenFor('bob');
  h.transport.events.received(`auth ${bob}`, false);
  h.verify[1]!.answer.resolve(identityOf(bob));
  await flush();
  assert.deepEqual(h.transport.said('error'), ['error forbidden auth']);
  assert.equal(h.session.identity?.id, 'alice');
  h.transport.events.received(`auth ${alice}`, false);
  h.verify[2]!.answer.resolve(identityOf(alice));
  await flush();
  assert.deepEqual(h.transport.said('welcome'), ['welcome alice', 'welcome alice']);
});

test('a sign-in past the per-user cap is refused with TooManyConnections; the session stays anonymous', async () => {
  const budget = new ConnectionBudget({ maxConnections: 10, maxConnectionsPerIp: 10, maxConnectionsPerUser: 1 }, () => undefined);
  const first = harness({ budget });
  const second = harness({ budget });
  const seen: ChatError[] = [];
  const original = second.codec.refusal.bind(second.codec);
  second.codec.refusal = (err, ref) => (seen.push(err), original(err, ref));
  const token = tokenFor('carol');
  for (const h of [first, second]) {
    h.transport.events.received(`auth ${token}`, false);
    h.verify[0]!.answer.resolve(identityOf(token));
  }
  await flush();
  assert.equal(first.session.identity?.id, 'carol');
  assert.equal(second.session.identity, null);
  assert.deepEqual(second.transport.said('error'), ['error forbidden auth']);
  assert.ok(seen[0] instanceof TooManyConnections);
});

test('a token already expired when it is accepted closes the session as tokenExpired, with the codec\'s last words', async () => {
  const h = harness();
  const token = tokenFor('dave', Math.floor(Date.now() / 1000) - 10);
  h.transport.events.received(`auth ${token}`, false);
  h.verify[0]!.answer.resolve(identityOf(token));
  await flush();
  assert.deepEqual(h.transport.closes, ['tokenExpired']);
  assert.equal(h.transport.written.at(-1), 'bye tokenExpired');
});

test('a token expiring later closes the session when it expires', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000_000 });
  t.after(() => mock.timers.reset());
  const h = harness();
  const token = tokenFor('erin', 1_000_000 + 30);
  h.transport.events.received(`auth ${token}`, false);
  h.verify[0]!.answer.resolve(identityOf(token));
  await flush();
  assert.equal(h.session.tokenExpiresInMs, 30_000);
  mock.timers.tick(29_999);
  assert.deepEqual(h.transport.closes, []);
  mock.timers.tick(1);
  assert.deepEqual(h.transport.closes, ['tokenExpired']);
});

test('an anonymous session that holds nothing is closed as idle; one watching a stream is not', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const idle = harness();
  const watching = harness();
  watching.transport.events.received('join s j', false);
  mock.timers.tick(60_000);
  assert.deepEqual(idle.transport.closes, ['idle']);
  assert.equal(idle.transport.written.at(-1), 'bye idle');
  assert.deepEqual(watching.transport.closes, []);
});

test('a join the client left while it was in flight is cancelled: no answer, nothing attached', async () => {
  const h = harness();
  h.transport.events.received('join s j1', false);
  await flush();
  h.transport.events.received('leave s l1', false);
  await h.hub.landAll();
  assert.deepEqual(h.transport.said('joined'), []);
  assert.equal(h.hub.attached.get('s')?.size ?? 0, 0);
  assert.equal(h.session.watching('s'), false);
});

test('a join replaced by a newer join of the same stream is cancelled; the newer one is answered once', async () => {
  const h = harness();
  h.transport.events.received('join s j1', false);
  await flush();
  h.transport.events.received('leave s l1', false);
  h.transport.events.received('join s j2', false);
  await flush();
  assert.equal(h.hub.pending.length, 2);
  await h.hub.landAll();
  assert.deepEqual(h.transport.said('joined'), ['joined s j2'], 'only the second join is answered');
  assert.deepEqual(h.hub.cancelled, ['s'], 'the first join was refused at hand-over');
  assert.equal(h.session.watching('s'), true);
});

test('a join past maxStreamsPerConnection is refused with TooManyStreams for its ref', async () => {
  const h = harness();
  const seen: ChatError[] = [];
  const original = h.codec.refusal.bind(h.codec);
  h.codec.refusal = (err, ref) => (seen.push(err), original(err, ref));
  for (const stream of ['a', 'b', 'c']) h.transport.events.received(`join ${stream} ${stream}`, false);
  await flush();
  assert.deepEqual(h.transport.said('error'), ['error invalid c']);
  assert.ok(seen[0] instanceof TooManyStreams);
});

test('refusals are strikes; past abuseStrikes the session closes as abuse; server faults are no strike', async () => {
  const h = harness({ sendFails: new Error('redis went away') });
  h.transport.events.received('join s j', false);
  await h.hub.landAll();
  for (let i = 0; i < 5; i++) h.transport.events.received(`send s n${i}`, false);
  await flush();
  assert.deepEqual(h.transport.said('error').map((e) => e.split(' ')[1]), ['unavailable', 'unavailable', 'unavailable', 'unavailable', 'unavailable']);
  assert.deepEqual(h.transport.closes, [], 'a backend failure is not the client\'s fault');

  for (let i = 0; i < 3; i++) h.transport.events.received(`bogus ${i}`, false);
  assert.deepEqual(h.transport.closes, []);
  h.transport.events.received('bogus 3', false);
  assert.deepEqual(h.transport.closes, ['abuse']);
  assert.equal(h.transport.written.at(-1), 'bye abuse');
  assert.equal(await counter(h.metrics, 'chorus_abuse_closes_total'), 1);
  assert.deepEqual(h.hub.left, ['s'], 'closing left every stream');
  assert.deepEqual(h.codec.leftStreams, [['s', false]]);
});

test('frames over the frame rate are refused unread, answered with the ref the codec can read', () => {
  const h = harness({ inboundFramesPerSecond: 1, abuseStrikes: 100 });
  h.transport.events.received('bogus r1', false);
  h.transport.events.received('bogus r2', false);
  h.transport.events.received('send s r3', false);
  assert.deepEqual(h.transport.said('error'), ['error invalid bogus r1', 'error invalid bogus r2', 'error rate_limited r3']);
});

test('one slow-consumer rule: past the hard limit a delivery closes the session as slow, with no last words', async () => {
  const h = harness();
  const batch = new OutboundBatch([new OutboundFrame({ kind: 'msgs', stream: 's', messages: [] }, 1, 1)]);
  h.transport.backlog = 5_000;
  h.session.deliver(batch);
  assert.deepEqual(h.transport.said('batch'), ['batch 1'], 'over the soft limit, within the grace period: still written');
  h.transport.backlog = 10_000;
  h.session.deliver(batch);
  assert.deepEqual(h.transport.said('batch'), ['batch 1']);
  assert.deepEqual(h.transport.closes, ['slow']);
  assert.equal(h.transport.written.some((w) => w.startsWith('bye')), false);
  assert.equal(await counter(h.metrics, 'chorus_slow_consumer_drops_total'), 1);
  h.session.deliver(batch);
  assert.deepEqual(h.transport.closes, ['slow'], 'closed once');
});

test('the heartbeat pings, closes a peer silent since the last ping, and catches a slow reader without traffic', () => {
  const h = harness();
  h.session.heartbeat();
  assert.equal(h.transport.pings, 1);
  h.transport.events.alive();
  h.session.heartbeat();
  assert.equal(h.transport.pings, 2);
  h.session.heartbeat();
  assert.deepEqual(h.transport.closes, ['unresponsive']);

  // A reader already behind is looked at again by the heartbeat, so one that stopped reading is caught without new traffic.
  const slow = harness();
  slow.transport.backlog = 5_000;
  slow.session.write('x');
  slow.transport.backlog = 20_000;
  slow.session.heartbeat();
  assert.deepEqual(slow.transport.closes, ['slow']);
  assert.equal(slow.transport.pings, 0);
});

test('drain tells the client to reconnect; later sends are refused with ShuttingDown; close leaves every stream', async () => {
  const h = harness();
  const seen: ChatError[] = [];
  const original = h.codec.refusal.bind(h.codec);
  h.codec.refusal = (err, ref) => (seen.push(err), original(err, ref));
  h.transport.events.received('join s j', false);
  await h.hub.landAll();
  h.session.drain(3_000);
  assert.equal(h.transport.written.at(-1), 'reconnect 3000');
  h.transport.events.received('send s n', false);
  await flush();
  assert.ok(seen[0] instanceof ShuttingDown);
  assert.equal(seen[0]!.retryAfterMs, 3_000);
  assert.equal(h.sent.length, 0);
  h.session.close('goingAway');
  assert.deepEqual(h.transport.closes, ['goingAway']);
  assert.deepEqual(h.hub.left, ['s']);
  h.transport.events.closed();
  assert.equal(h.closedCount(), 1);
});
