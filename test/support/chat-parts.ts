// The chat lifecycle (ChatService, ModeratorActions) on the real embedded
// seams (MemoryState, MemoryBus, EmbeddedBroker over a SQLite log in a temp
// directory), with a clock the test moves and every seam the lifecycle calls
// behind withFaults, so a test can make one fail or answer late.
import { join } from 'node:path';
import pino from 'pino';
import type { Identity } from '../../src/auth/identity.ts';
import type { Broker } from '../../src/broker/broker.ts';
import { EmbeddedBroker } from '../../src/broker/embedded-broker.ts';
import type { Bus, BusEvent } from '../../src/bus/bus.ts';
import { MemoryBus } from '../../src/bus/memory-bus.ts';
import { ChatService, type LineLimits, type SendLimits } from '../../src/chat/chat-service.ts';
import { ContentRules, type ContentConfig } from '../../src/chat/content-rules.ts';
import { GrantedRoles } from '../../src/chat/granted-roles.ts';
import { HeldMessages } from '../../src/chat/held-messages.ts';
import { MessageLookup } from '../../src/chat/message-lookup.ts';
import { ModeratorActions } from '../../src/chat/moderator-actions.ts';
import { ModeratorRateLimit } from '../../src/chat/moderator-rate-limit.ts';
import { ModlogRecorder } from '../../src/chat/modlog-recorder.ts';
import { SqliteModlog } from '../../src/modlog/sqlite-modlog.ts';
import { Sampler } from '../../src/chat/sampler.ts';
import { HotStreamAdmission } from '../../src/chat/hot-stream-admission.ts';
import { LatencyDoor } from '../../src/limits/latency-door.ts';
import { StreamSettings } from '../../src/chat/stream-settings.ts';
import { TokenRoles } from '../../src/chat/token-roles.ts';
import { SETTINGS } from '../../src/config/settings.ts';
import type { DurableLog } from '../../src/log/log.ts';
import { SqliteLog } from '../../src/log/sqlite-log.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { HELD_PER_STREAM } from '../../src/held/held-store.ts';
import { MemoryHeldStore } from '../../src/held/memory-held-store.ts';
import type { Role } from '../../src/protocol/types.ts';
import { MemoryState } from '../../src/state/memory-state.ts';
import type { StateStore } from '../../src/state/state.ts';
import { withFaults, type SeamFaults } from './seam-faults.ts';
import { removeDir, tempDir } from './temp-dir.ts';

export interface ChatPartsOptions {
  limits?: Partial<SendLimits>;
  content?: Partial<ContentConfig>;
  /** Messages per second of a stream above which sampling starts (default: never). */
  samplingThreshold?: number;
  /** Moderator writes per user per minute (default 1,000). */
  moderatorActions?: number;
  /** How late the event loop runs, as the send path is told (default 0). */
  loopLagMs?: () => number;
  /** Hot-stream admission's multiple of the sampling threshold (default 0: off). */
  hotStreamMultiple?: number;
}

export interface ChatParts {
  chat: ChatService;
  moderation: ModeratorActions;
  /** The seams as the lifecycle sees them; `.seam` to read or write them directly. */
  state: SeamFaults<StateStore>;
  broker: SeamFaults<Broker>;
  log: SeamFaults<DurableLog>;
  bus: SeamFaults<Bus>;
  settings: StreamSettings;
  grants: GrantedRoles;
  held: HeldMessages;
  /** The audit log every moderator action is recorded in (SQLite, as embedded). */
  modlog: SqliteModlog;
  clock: { now: number };
  /** The lifecycle's counters (refusals by code and by the limit that shed them). */
  metrics: Metrics;
  /** Every line the lifecycle logged, parsed. */
  logged: Array<Record<string, unknown>>;
  /** Every bus event of `stream` from now on, but the audit log's entries (read those from `modlog`). */
  watch(stream: string): Promise<BusEvent[]>;
  close(): Promise<void>;
}

const LIMITS: SendLimits = {
  maxTextLength: 500,
  rateLimitMessages: 100,
  rateLimitPrivilegedMessages: 100,
  rateLimitUserMessages: 0,
  rateLimitWindowMs: 30_000,
  maxInFlight: 100,
  maxStreamRate: 10_000,
  maxLoopLagMs: 1_000,
};

// The settings' defaults: a stream's memory of lines and chatters as a server starts with it.
const LINE_LIMITS: LineLimits = {
  uniqueChatMaxLines: SETTINGS.uniqueChatMaxLines.default,
  duplicateWindowMs: SETTINGS.duplicateWindowMs.default,
  returningChatterAfterMs: SETTINGS.returningChatterAfterMs.default,
  chatterRetentionMs: SETTINGS.chatterRetentionMs.default,
  chattersPerStream: SETTINGS.chattersPerStream.default,
};

const CONTENT: ContentConfig = { globalEmotes: [], blockedTerms: [], heldTerms: [], blockLinks: false, blockPhones: false, blockEmails: false };

/** A signed-in user with `roles` in `stream`. */
export function person(name: string, roles: Role[] = [], stream = 'room'): Identity {
  return { id: `u-${name}`, name, roles: { [stream]: roles } };
}

export async function openChatParts(options: ChatPartsOptions = {}): Promise<ChatParts> {
  const dir = tempDir('chorus-chat-');
  const sqlite = await SqliteLog.open({ path: join(dir, 'chorus.db'), retentionMs: 3_600_000, maxMessagesPerStream: 10_000 });
  const memoryState = new MemoryState();
  const memoryBus = new MemoryBus();
  const logged: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  const clock = { now: Date.now() };
  const now = (): number => clock.now;
  const state = withFaults<StateStore>(memoryState);
  const log = withFaults<DurableLog>(sqlite);
  const bus = withFaults<Bus>(memoryBus);
  const broker = withFaults<Broker>(new EmbeddedBroker(log.seam, bus.seam, { onPublishError: (err) => logger.error({ err }, 'publish failed') }));
  const ttlMs = SETTINGS.heldMessageTtlMs.default;
  const held = new HeldMessages({ ttlMs, store: new MemoryHeldStore({ ttlMs, perStream: HELD_PER_STREAM }), bus: bus.seam, logger, now });
  const grants = new GrantedRoles({ state: state.seam, now });
  const settings = new StreamSettings({ state: state.seam, now });
  const tokenRoles = new TokenRoles({ state: state.seam, keepMs: 3_600_000, maxPerStream: 1_000, now, logger });
  // No fan-out here: a reply's parent or a pinned line is found through the log and the broker's history.
  const lookup = new MessageLookup({ recentLine: () => undefined }, log.seam, broker.seam);
  const sampler = new Sampler(options.samplingThreshold ?? 1_000_000);
  const loopLagMs = options.loopLagMs ?? ((): number => 0);
  const admission = new HotStreamAdmission({ sampler, threshold: options.samplingThreshold ?? 1_000_000, multiple: options.hotStreamMultiple ?? 0, loopLagMs, shortLoopLagMs: SETTINGS.hotStreamLoopLagMs.default });
  const metrics = new Metrics();
  const chat = new ChatService({
    limits: { ...LIMITS, ...options.limits },
    lineLimits: LINE_LIMITS,
    state: state.seam, broker: broker.seam, bus: bus.seam,
    content: new ContentRules({ ...CONTENT, ...options.content }),
    sampler, admission,
    // On, as an operator turns it on (its default is off until measured): 500 ms.
    door: new LatencyDoor({ targetMs: 500, intervalMs: SETTINGS.sendLatencyIntervalMs.default, now }),
    held, grants, settings, lookup,
    metrics,
    loopLagMs,
    now, logger,
  });
  const writeLimit = new ModeratorRateLimit({ actions: options.moderatorActions ?? 1_000, windowMs: 60_000, maxUsers: 1_000, now });
  const modlog = new SqliteModlog(join(dir, 'modlog.db'), { retentionMs: 3_600_000, maxPerStream: 1_000, now });
  const moderation = new ModeratorActions({
    state: state.seam, log: log.seam, bus: bus.seam, chat, held, grants, tokenRoles, settings, lookup, writeLimit, now, logger,
    modlog: new ModlogRecorder({ store: modlog, history: broker.seam, bus: bus.seam, now, logger }),
    clear: { windowMs: 60_000, maxLines: 100 },
  });
  return {
    chat, moderation, state, broker, log, bus, settings, grants, held, modlog, clock, metrics, logged,
    async watch(stream) {
      const events: BusEvent[] = [];
      await memoryBus.subscribe(stream, (_stream, event) => {
        if (event.kind !== 'modlog') events.push(event);
      });
      return events;
    },
    async close() {
      held.close();
      await memoryBus.close();
      await memoryState.close();
      await modlog.close();
      await sqlite.close();
      removeDir(dir);
    },
  };
}

