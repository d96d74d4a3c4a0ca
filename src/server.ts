import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config/settings.ts';
import { Authenticator } from './auth/tokens.ts';
import { signingSecret } from './auth/dev-secret.ts';
import { Metrics } from './observability/metrics.ts';
import { LoopLag } from './observability/loop-lag.ts';
import { OPS_SAMPLE_INTERVAL_MS, OpsSeries } from './observability/ops-series.ts';
import { ChatService } from './chat/chat-service.ts';
import { ContentRules } from './chat/content-rules.ts';
import { GrantedRoles } from './chat/granted-roles.ts';
import { HeldMessages } from './chat/held-messages.ts';
import { StreamSettings } from './chat/stream-settings.ts';
import { ModeratorActions } from './chat/moderator-actions.ts';
import { ModeratorRateLimit } from './chat/moderator-rate-limit.ts';
import { HistoryReadLimits } from './http/history-read-limits.ts';
import { Sampler } from './chat/sampler.ts';
import { StreamHub } from './fanout/stream-hub.ts';
import { WsGateway } from './transports/ws/ws-gateway.ts';
import { ConnectionBudget } from './limits/connection-budget.ts';
import { ChatCommands } from './transports/irc/chat-commands.ts';
import { IrcFrames } from './transports/irc/irc-frames.ts';
import { IrcGateway } from './transports/irc/irc-gateway.ts';
import { IrcRooms } from './transports/irc/irc-rooms.ts';
import { UserDirectory } from './transports/irc/user-directory.ts';
import { createHttpApp } from './http/app.ts';
import { listenError, type ListenerSetting } from './config/listen-error.ts';
import { AdminListener } from './http/admin-listener.ts';
import { guardOperatorRoutes } from './http/operator-access.ts';
import { registerDevRoutes } from './http/dev-routes.ts';
import { registerIrcTokenRoutes } from './http/irc-token-routes.ts';
import { registerOpsRoutes } from './http/ops-routes.ts';
import { registerPageRoutes } from './http/page-routes.ts';
import { registerSse } from './transports/sse/sse.ts';
import { registerStreamRoutes } from './http/stream-routes.ts';
import { ClientAddresses } from './http/client-address.ts';
import { isWebSocketUpgrade, routeUpgrades } from './http/upgrades.ts';
import { registerAnalyticsRoutes } from './http/analytics-routes.ts';
import { registerReportRoutes } from './http/report-routes.ts';
import { registerRoleRoutes } from './http/role-routes.ts';
import { StreamAnalytics } from './analytics/stream-analytics.ts';
import { startLogConsumers } from './consumers/log-consumers.ts';
import { ReportIntake } from './reports/report-intake.ts';
import { openSeams } from './seams.ts';
import type { Limits } from './protocol/server-frames.ts';

export interface RunningServer {
  readonly port: number;
  /** The plain IRC listener's port; undefined when switched off. */
  readonly ircPort: number | undefined;
  /** The IRC over TLS listener's port; undefined when no certificate is configured. */
  readonly ircTlsPort: number | undefined;
  /** The admin listener's port; undefined without adminPort. */
  readonly adminPort: number | undefined;
  /** SIGTERM: tell every client to reconnect, finish accepted sends, close everything. */
  shutdown(): Promise<void>;
}

const WINDOW_SIZE = 1_000;
// Granted roles, modes and rules changed on one gateway reach the others' sends within this long (docs/decisions.md).
const STREAM_READ_TTL_MS = 2_000;
const STREAM_READ_MAX_STREAMS = 10_000;
const SSE_KEEPALIVE_MS = 15_000;
const READY_TIMEOUT_MS = 2_000;
// Node checks slow requests against httpRequestTimeoutMs this often (its default, 30 s, for long timeouts).
const REQUEST_TIMEOUT_CHECKS = 4;
// Logins remembered for IRC moderator commands, and the room size above which IRC stops announcing JOIN/PART (Twitch's).
const IRC_DIRECTORY_SIZE = 100_000;
const IRC_MEMBERSHIP_MAX = 1_000;
const ANALYTICS_LIMITS = { maxStreams: 10_000, minutes: 60, chatterCounters: 50, topChatters: 10 };
const OPS_POINTS = 300; // five minutes of one-second points for the /ops page
const WEB_ASSETS_DIR = fileURLToPath(new URL('../web/dist', import.meta.url));

/** The composition root: builds every part from the config and starts listening. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const now = (): number => Date.now();
  const metrics = new Metrics();
  const seams = await openSeams(config, logger);
  const { log, state, bus, viewers, publisher, tail, reports } = seams;
  const auth = new Authenticator({ ...config, jwtSecret: signingSecret(config) });
  const sampler = new Sampler(config.samplingThreshold, config.fanoutBudgetMs);
  const currentRate = (stream: string) => sampler.rateOf(stream, now());
  const held = new HeldMessages();
  const content = new ContentRules(config);
  const streamReads = { state, ttlMs: STREAM_READ_TTL_MS, maxStreams: STREAM_READ_MAX_STREAMS, now };
  const grants = new GrantedRoles(streamReads);
  const settings = new StreamSettings(streamReads);
  const loopLag = new LoopLag();
  const chat = new ChatService({ limits: config, state, log, bus, content, sampler, publisher, held, grants, settings, metrics, loopLagMs: () => loopLag.lagMs, now, logger });
  const writeLimit = new ModeratorRateLimit({ actions: config.moderatorActionLimit, windowMs: config.moderatorActionWindowMs, maxUsers: config.rateLimitMaxClients, now });
  const moderation = new ModeratorActions({ state, log, bus, chat, held, grants, settings, writeLimit, now, logger, clear: { windowMs: config.clearWindowMs, maxLines: config.clearMaxLines } });
  const hub = new StreamHub({
    bus, log, state, viewers, metrics, currentRate,
    onFanoutDelay: (stream, delayMs) => sampler.observeFanoutDelay(stream, delayMs, now()),
    maxFlushMs: config.maxFlushMs,
    stateIntervalMs: config.stateIntervalMs,
    windowSize: WINDOW_SIZE,
    onError: (err) => logger.error({ err }, 'stream hub error'),
  });
  // Redis pub/sub keeps nothing while a gateway is cut off: refill its streams from the log.
  seams.onBusGap(() => hub.resync());
  const limits: Limits = {
    maxFrameBytes: config.maxFrameBytes,
    maxTextLength: config.maxTextLength,
    historyDefault: config.historyDefault,
    historyMax: config.historyMax,
    maxStreamsPerConnection: config.maxStreamsPerConnection,
    rateLimit: { messages: config.rateLimitMessages, privilegedMessages: config.rateLimitPrivilegedMessages, windowMs: config.rateLimitWindowMs },
  };
  const budget = new ConnectionBudget(config, (reason) => metrics.connectionsRefused.inc({ reason }));
  const addresses = new ClientAddresses(config.trustedProxies);
  const gateway = new WsGateway({ ...config, auth, chat, moderation, grants, hub, metrics, logger, limits, budget });
  const directory = new UserDirectory(IRC_DIRECTORY_SIZE);
  const irc = new IrcGateway({
    ...config, auth, chat, grants, hub, metrics, logger, budget, directory,
    commands: new ChatCommands({ moderation, state, log, directory }),
    frames: new IrcFrames(directory),
    rooms: new IrcRooms((stream) => hub.viewersOf(stream), IRC_MEMBERSHIP_MAX),
    maxLineBytes: config.maxFrameBytes,
  });

  // Lifecycle step 9: consumers of the log, off the hot path; reports in a queue of their own.
  const analytics = new StreamAnalytics(ANALYTICS_LIMITS);
  const consumers = startLogConsumers({ config, tail, log, bus, analytics, metrics, logger, analyticsGroup: seams.analyticsGroup });
  const intake = new ReportIntake(reports, state, config, now, logger);

  // Sampling state reaches viewers as `state` frames, at most once a second per stream.
  const rateTimer = setInterval(() => {
    for (const [stream, rate] of sampler.changedRates(now())) {
      bus.publish(stream, { kind: 'state', state: { rate } }).catch((err) => logger.error({ err }, 'rate publish failed'));
    }
    metrics.samplingStreams.set(sampler.samplingStreams());
  }, 1_000);
  rateTimer.unref();

  const opsSeries = new OpsSeries(metrics, OPS_POINTS);
  const sampleOps = (): void => {
    opsSeries.sample(now()).catch((err) => logger.error({ err }, 'ops sample failed'));
  };
  sampleOps(); // the baseline, so the first point counts from start-up
  const opsTimer = setInterval(sampleOps, OPS_SAMPLE_INTERVAL_MS);
  opsTimer.unref();

  let draining = false;
  const app = await createHttpApp(logger, {
    shouldUpgrade: isWebSocketUpgrade,
    trustProxy: (address) => addresses.trusts(address),
    requestTimeoutMs: config.httpRequestTimeoutMs,
    timeoutCheckMs: Math.min(30_000, Math.ceil(config.httpRequestTimeoutMs / REQUEST_TIMEOUT_CHECKS)),
  });
  const adminListener = new AdminListener();
  guardOperatorRoutes(app, { ...config, adminListener: config.adminPort !== -1, onAdminListener: (raw) => adminListener.arrivedHere(raw) });
  registerOpsRoutes(app, {
    metrics,
    draining: () => draining,
    series: () => opsSeries.points(),
    ready: async () => consumers.ready() && withTimeout(Promise.all([state.getModes('_readyz'), log.lastSeq('_readyz'), log.checkWritable()]).then(() => true), READY_TIMEOUT_MS),
  });
  registerIrcTokenRoutes(app, auth, config.maxFrameBytes);
  const readLimits = new HistoryReadLimits({ ...config, maxClients: config.rateLimitMaxClients, now });
  registerStreamRoutes(app, { auth, chat, moderation, log, state, viewers, currentRate, readLimits, pollingIntervalMs: config.pollingIntervalMs, maxSendBodyBytes: config.maxFrameBytes });
  registerAnalyticsRoutes(app, analytics, now);
  registerRoleRoutes(app, { auth, moderation });
  registerReportRoutes(app, { auth, intake, queue: reports, moderation, onReported: () => metrics.reportsReceived.inc() });
  const sse = registerSse(app, {
    hub, metrics,
    historyDefault: config.historyDefault,
    resumeMax: config.resumeMax,
    socketHardLimitBytes: config.socketHardLimitBytes,
    keepAliveMs: SSE_KEEPALIVE_MS,
    budget,
  });
  registerPageRoutes(app, { assetsDir: WEB_ASSETS_DIR, dev: config.dev, liveStreams: (limit) => hub.liveStreams(limit), logger });
  if (config.dev) {
    registerDevRoutes(app, auth);
    logger.warn('DEVELOPMENT MODE: anyone can get a token for any name and role at POST /api/dev/token. Never run this in production.');
  }
  routeUpgrades(app.server, {
    // `/` is where tmi.js always connects (subprotocol `irc`); docs/irc.md.
    routes: new Map([['/ws', gateway.handleUpgrade.bind(gateway)], ['/', irc.handleUpgrade.bind(irc)]]),
    allowedOrigins: config.allowedOrigins,
    addresses,
    onForbiddenOrigin: () => metrics.connectionsRefused.inc({ reason: 'origin' }),
  });
  let ircPort: number | undefined;
  let ircTlsPort: number | undefined;
  let adminPort: number | undefined;
  try {
    // A taken port is told in the operator's terms: which listener, and the setting that chose it.
    const named = (setting: ListenerSetting, port: number) => (err: unknown) => Promise.reject(listenError(err, setting, config.host, port));
    await app.listen({ port: config.port, host: config.host }).catch(named('port', config.port));
    ircPort = config.ircPort === -1 ? undefined : await irc.listenTcp(config.ircPort, config.host).catch(named('ircPort', config.ircPort));
    if (config.ircTlsCert !== '') {
      const tls = { cert: readFileSync(config.ircTlsCert), key: readFileSync(config.ircTlsKey) };
      ircTlsPort = await irc.listenTcp(config.ircTlsPort, config.host, tls).catch(named('ircTlsPort', config.ircTlsPort));
    }
    adminPort = config.adminPort === -1 ? undefined : await adminListener.listen(app, config.adminPort, config.host);
  } catch (err) {
    // A taken port must not leave the HTTP listener, the consumers or the log open behind a failed start.
    clearInterval(rateTimer);
    clearInterval(opsTimer);
    loopLag.close();
    await irc.close(); // the plain listener, when only the TLS one failed
    await adminListener.close();
    await app.close();
    await seams.close();
    throw err;
  }
  const port = (app.server.address() as AddressInfo).port;
  logger.info({ port, ircPort, ircTlsPort, adminPort, dataDir: config.dataDir, mode: seams.mode }, 'chorus is listening');

  return {
    port,
    ircPort,
    ircTlsPort,
    adminPort,
    async shutdown(): Promise<void> {
      if (draining) return;
      draining = true;
      logger.info('draining: telling clients to reconnect');
      gateway.drain(config.reconnectAfterMs);
      irc.drain();
      sse.drain(config.reconnectAfterMs);
      await withTimeout(chat.whenIdle(), config.drainMs).catch(() => logger.warn('drain timed out with sends in flight'));
      clearInterval(rateTimer);
      // A consumer stops after its batch; a batch cut short by the timeout is not committed, so it comes again after the restart.
      await withTimeout(seams.stopConsumers(), config.drainMs).catch(() => logger.warn('log consumers did not stop within drainMs'));
      clearInterval(opsTimer);
      loopLag.close();
      await gateway.close();
      await irc.close();
      await hub.close();
      await adminListener.close();
      app.server.closeAllConnections();
      await app.close();
      await seams.close();
      logger.info('drained');
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
