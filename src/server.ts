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
import { MessageLookup } from './chat/message-lookup.ts';
import { SystemNotices } from './chat/system-notices.ts';
import { ContentRules } from './chat/content-rules.ts';
import { GrantedRoles } from './chat/granted-roles.ts';
import { TokenRoles } from './chat/token-roles.ts';
import { HeldMessages } from './chat/held-messages.ts';
import { Sightings } from './chat/sightings.ts';
import { StreamSettings } from './chat/stream-settings.ts';
import { ModeratorActions } from './chat/moderator-actions.ts';
import { ModeratorRateLimit } from './chat/moderator-rate-limit.ts';
import { ModlogRecorder } from './chat/modlog-recorder.ts';
import { registerModlogRoutes } from './http/modlog-routes.ts';
import { HistoryReadLimits } from './http/history-read-limits.ts';
import { RATE_PUBLISH_INTERVAL_MS, Sampler } from './chat/sampler.ts';
import { HotStreamAdmission } from './chat/hot-stream-admission.ts';
import { LatencyDoor } from './limits/latency-door.ts';
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
import { registerReportReviewRoutes } from './http/report-review-routes.ts';
import { registerRoleRoutes } from './http/role-routes.ts';
import { registerStandingRoutes } from './http/standing-routes.ts';
import { registerImageRoutes } from './http/image-routes.ts';
import { ImageSets } from './chat/image-sets.ts';
import { ImageOrigins } from './chat/image-urls.ts';
import { registerNoticeRoutes } from './http/notice-routes.ts';
import { registerRecentMessagesRoutes } from './http/recent-messages-routes.ts';
import { registerYouTubeApi } from './http/youtube/youtube-api.ts';
import { historicalLine } from './transports/irc/historical-lines.ts';
import { resolveIdentities } from './http/request-identity.ts';
import { StreamAnalytics } from './analytics/stream-analytics.ts';
import { startLogConsumers } from './consumers/log-consumers.ts';
import { ReportIntake } from './reports/report-intake.ts';
import { openSeams, type Seams } from './seams.ts';
import { Closers } from './process/closers.ts';
import { withTimeout } from './process/with-timeout.ts';
import { pick } from './config/pick.ts';
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

const WEB_ASSETS_DIR = fileURLToPath(new URL('../web/dist', import.meta.url));

/** The composition root: builds every part from the config and starts listening. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const closers = new Closers();
  const seams = await openSeams(config, logger);
  closers.add('seams', () => seams.close());
  try {
    return await startParts(config, logger, seams, closers);
  } catch (err) {
    // A start that fails half way (a taken port) must not leave what it had opened behind it.
    await closers.closeAll().catch((closeErr: unknown) => logger.error({ err: closeErr }, 'closing after a failed start failed'));
    throw err;
  }
}

/** Builds the parts on the open seams, each registering its closer as it opens, and listens. */
async function startParts(config: Config, logger: Logger, seams: Seams, closers: Closers): Promise<RunningServer> {
  const now = (): number => Date.now();
  const metrics = new Metrics();
  let draining = false;
  const addresses = new ClientAddresses(config.trustedProxies);
  const app = await createHttpApp(logger, {
    shouldUpgrade: isWebSocketUpgrade,
    trustProxy: (address) => addresses.trusts(address),
    requestTimeoutMs: config.httpRequestTimeoutMs,
  });
  closers.add('http', () => {
    app.server.closeAllConnections();
    return app.close();
  });
  const adminListener = new AdminListener();
  closers.add('admin listener', () => adminListener.close());
  const { log, state, bus, viewers, broker, tail, reports, modlog } = seams;
  const auth = new Authenticator({ ...pick(config, 'dev', 'jwksUrl', 'jwtIssuer', 'jwtAudience', 'jwtAllowNoExp'), jwtSecret: signingSecret(config), logger });
  const sampler = new Sampler(config.samplingThreshold, config.fanoutBudgetMs);
  const sampling = sampler.forFanout(now);
  const held = new HeldMessages({ ttlMs: config.heldMessageTtlMs, store: seams.held, bus, logger, now });
  closers.add('held messages', () => held.close());
  const content = new ContentRules(pick(config, 'globalEmotes', 'blockedTerms', 'heldTerms', 'blockLinks', 'blockPhones', 'blockEmails'));
  const grants = new GrantedRoles({ state, now });
  const settings = new StreamSettings({ state, now });
  const tokenRoles = new TokenRoles({ state, keepMs: config.retentionMs, maxPerStream: config.tokenRolesMaxPerStream, now, logger });
  const loopLag = new LoopLag();
  closers.add('loop lag', () => loopLag.close());
  const sendLimits = pick(config, 'maxTextLength', 'rateLimitMessages', 'rateLimitPrivilegedMessages', 'rateLimitUserMessages', 'rateLimitWindowMs', 'maxInFlight', 'maxStreamRate', 'maxLoopLagMs');
  const sightings = new Sightings({ state, keepMs: config.chatterRetentionMs, maxPerStream: config.chattersPerStream, now, logger });
  const hub = new StreamHub({
    bus, broker, state, viewers, metrics, sampling, sightings, globalOrder: seams.globalOrder,
    region: config.region === '' ? undefined : config.region,
    maxFlushMs: config.maxFlushMs,
    stateIntervalMs: config.stateIntervalMs,
    onError: (err) => logger.error({ err }, 'stream hub error'),
  });
  closers.add('stream hub', () => hub.close());
  // Replies and pins find their line in the hub's recent lines first, the log and the broker's history only for older ones.
  const lookup = new MessageLookup(hub, log, broker);
  const lineLimits = pick(config, 'uniqueChatMaxLines', 'duplicateWindowMs', 'returningChatterAfterMs', 'chatterRetentionMs', 'chattersPerStream');
  const admission = new HotStreamAdmission({ sampler, threshold: config.samplingThreshold, multiple: config.hotStreamMultiple, loopLagMs: () => loopLag.lagMs, shortLoopLagMs: config.hotStreamLoopLagMs });
  const door = new LatencyDoor({ targetMs: config.sendLatencyTargetMs, intervalMs: config.sendLatencyIntervalMs, now });
  metrics.watchSendDoor(() => door.shed);
  const chat = new ChatService({ limits: sendLimits, lineLimits, state, content, sampler, admission, door, broker, bus, held, grants, settings, lookup, metrics, loopLagMs: () => loopLag.lagMs, now, logger });
  const notices = new SystemNotices({ broker, maxTextLength: config.maxTextLength, now, logger });
  const writeLimit = new ModeratorRateLimit({ actions: config.moderatorActionLimit, windowMs: config.moderatorActionWindowMs, maxUsers: config.rateLimitMaxClients, now });
  // One recorder for every moderator action, whichever transport asked for it.
  const recorder = new ModlogRecorder({ store: modlog, history: broker, bus, now, logger });
  const moderation = new ModeratorActions({ state, log, bus, chat, held, grants, tokenRoles, settings, lookup, writeLimit, now, logger, modlog: recorder, clear: { windowMs: config.clearWindowMs, maxLines: config.clearMaxLines } });
  // Redis pub/sub keeps nothing while a gateway is cut off: refill its streams from the broker's history.
  seams.onBusGap(() => hub.resync());
  const limits: Limits = {
    maxFrameBytes: config.maxFrameBytes,
    maxTextLength: config.maxTextLength,
    historyDefault: config.historyDefault,
    historyMax: config.historyMax,
    maxStreamsPerConnection: config.maxStreamsPerConnection,
    rateLimit: { messages: config.rateLimitMessages, privilegedMessages: config.rateLimitPrivilegedMessages, windowMs: config.rateLimitWindowMs },
  };
  const budget = new ConnectionBudget(pick(config, 'maxConnections', 'maxConnectionsPerIp', 'maxConnectionsPerUser'), (reason) => metrics.connectionsRefused.inc({ reason }));
  // One session for every protocol (src/session/): what a client may do on a connection, and how long it may fall behind.
  const sessionDeps = {
    ...pick(config, 'maxStreamsPerConnection', 'resumeMax', 'abuseStrikes', 'abuseWindowMs', 'inboundFramesPerSecond', 'anonymousIdleMs'),
    ...pick(config, 'socketSoftLimitBytes', 'socketHardLimitBytes', 'slowConsumerGraceMs'),
    auth, chat, grants, tokenRoles, hub, metrics, logger,
  };
  const gateway = new WsGateway({ ...sessionDeps, moderation, limits, budget, heartbeatMs: config.heartbeatMs, deflate: config.wsDeflate });
  closers.add('ws gateway', () => gateway.close());
  const directory = new UserDirectory();
  const irc = new IrcGateway({
    ...sessionDeps, budget, directory,
    commands: new ChatCommands({ moderation, chat, state, history: broker, directory }),
    frames: new IrcFrames(directory),
    rooms: new IrcRooms((stream) => hub.viewersOf(stream)),
    heartbeatMs: config.heartbeatMs,
    maxLineBytes: config.maxFrameBytes,
  });
  closers.add('irc gateway', () => irc.close()); // the plain listener too, when only the TLS one failed

  // Lifecycle step 9: consumers of the log, off the hot path; reports in a queue of their own.
  const analytics = new StreamAnalytics();
  const consumers = startLogConsumers({ config: pick(config, 'classifierTerms', 'classifierUrl', 'classifierConcurrency', 'classifierTimeoutMs', 'region'), tail, log, bus, analytics, metrics, logger, analyticsGroup: seams.analyticsGroup });
  const intake = new ReportIntake(reports, state, pick(config, 'reportRateLimit', 'reportRateWindowMs'), now, logger);

  // Sampling state reaches viewers as `state` frames, at most once a second per stream.
  const rateTimer = setInterval(() => {
    for (const [stream, rate] of sampler.changedRates(now())) {
      bus.publish(stream, { kind: 'state', state: { rate } }).catch((err) => logger.error({ err }, 'rate publish failed'));
    }
    metrics.samplingStreams.set(sampler.samplingStreams());
  }, RATE_PUBLISH_INTERVAL_MS);
  rateTimer.unref();
  closers.add('rate timer', () => clearInterval(rateTimer));

  const opsSeries = new OpsSeries(metrics);
  const sampleOps = (): void => {
    opsSeries.sample(now()).catch((err) => logger.error({ err }, 'ops sample failed'));
  };
  sampleOps(); // the baseline, so the first point counts from start-up
  const opsTimer = setInterval(sampleOps, OPS_SAMPLE_INTERVAL_MS);
  opsTimer.unref();
  closers.add('ops timer', () => clearInterval(opsTimer));

  guardOperatorRoutes(app, { ...pick(config, 'dev', 'adminToken'), adminListener: config.adminPort !== -1, onAdminListener: (raw) => adminListener.arrivedHere(raw) });
  registerOpsRoutes(app, {
    metrics,
    draining: () => draining,
    series: () => opsSeries.points(),
    ready: async () => consumers.ready() && Promise.all([state.getModes('_readyz'), log.lastSeq('_readyz'), log.checkWritable()]).then(() => true),
  });
  resolveIdentities(app, auth);
  registerIrcTokenRoutes(app, config.maxFrameBytes);
  const readLimits = new HistoryReadLimits({ ...pick(config, 'replayMax', 'anonymousReadMax', 'anonymousReadRate'), maxClients: config.rateLimitMaxClients, now });
  registerStreamRoutes(app, { chat, moderation, broker, state, viewers, sampling, globalOrder: seams.globalOrder, settings, readLimits, pollingIntervalMs: config.pollingIntervalMs, maxSendBodyBytes: config.maxFrameBytes });
  registerAnalyticsRoutes(app, analytics, now);
  registerRoleRoutes(app, { moderation });
  registerStandingRoutes(app, { moderation, chat });
  const imageOrigins = new ImageOrigins(config.imageOrigins);
  registerImageRoutes(app, { images: new ImageSets({ settings, moderation, writeLimit, origins: imageOrigins, logger }) });
  registerNoticeRoutes(app, notices);
  registerRecentMessagesRoutes(app, { history: broker, readLimits, historicalLine });
  registerYouTubeApi(app, { chat, moderation, broker, settings, readLimits, pollingIntervalMs: config.pollingIntervalMs, maxSendBodyBytes: config.maxFrameBytes, logger });
  registerReportRoutes(app, { intake, queue: reports, moderation, onReported: () => metrics.reportsReceived.inc() });
  registerReportReviewRoutes(app, { queue: reports, moderation, log, modlog: recorder });
  registerModlogRoutes(app, { moderation, modlog, history: broker, state, now });
  const sse = registerSse(app, { ...sessionDeps, budget, historyDefault: config.historyDefault });
  closers.add('sse', () => sse.close());
  registerPageRoutes(app, { assetsDir: WEB_ASSETS_DIR, dev: config.dev, imageSources: imageOrigins.cspSources(), liveStreams: (limit) => hub.liveStreams(limit), logger });
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
  // A taken port is told in the operator's terms: which listener, and the setting that chose it.
  const named = (setting: ListenerSetting, port: number) => (err: unknown) => Promise.reject(listenError(err, setting, config.host, port));
  await app.listen({ port: config.port, host: config.host }).catch(named('port', config.port));
  const ircPort = config.ircPort === -1 ? undefined : await irc.listenTcp(config.ircPort, config.host).catch(named('ircPort', config.ircPort));
  let ircTlsPort: number | undefined;
  if (config.ircTlsCert !== '') {
    const tls = { cert: readFileSync(config.ircTlsCert), key: readFileSync(config.ircTlsKey) };
    ircTlsPort = await irc.listenTcp(config.ircTlsPort, config.host, tls).catch(named('ircTlsPort', config.ircTlsPort));
  }
  const adminPort = config.adminPort === -1 ? undefined : await adminListener.listen(app, config.adminPort, config.host);
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
      irc.drain(config.reconnectAfterMs);
      sse.drain(config.reconnectAfterMs);
      await withTimeout(chat.whenIdle(), config.drainMs).catch(() => logger.warn('drain timed out with sends in flight'));
      // A consumer stops after its batch; a batch cut short by the timeout is not committed, so it comes again after the restart.
      await withTimeout(seams.stopConsumers(), config.drainMs).catch(() => logger.warn('log consumers did not stop within drainMs'));
      await closers.closeAll();
      logger.info('drained');
    },
  };
}
