import { join } from 'node:path';
import { EdgeCameraReports } from './cameras/EdgeCameraReports.ts';
import { CameraControl } from './cameras/CameraControl.ts';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import Fastify, { LogController } from 'fastify';
import { LiveAccess } from './access/LiveAccess.ts';
import { ActivityAudit } from './audit/ActivityAudit.ts';
import { AuditTrail } from './audit/AuditTrail.ts';
import { Accounts } from './auth/Accounts.ts';
import { AuthService } from './auth/AuthService.ts';
import { CameraKeys } from './auth/CameraKeys.ts';
import { MediaTokens } from './auth/MediaTokens.ts';
import { AccountLocks } from './auth/AccountLocks.ts';
import { CameraCatalogue } from './cameras/CameraCatalogue.ts';
import { Thumbnails } from './cameras/Thumbnails.ts';
import { LoginLimiter } from './auth/loginLimiter.ts';
import type { GatewayConfig } from './config/configSchema.ts';
import type { ApiContext } from './http/api/context.ts';
import { registerApi } from './http/api/registerApi.ts';
import { registerCanonicalPaths } from './http/canonicalPath.ts';
import { clientAddressResolver } from './http/clientAddress.ts';
import { registerHealth } from './http/health.ts';
import { registerMetricsRoute } from './http/metricsRoute.ts';
import { registerOriginCheck } from './http/originCheck.ts';
import { registerPageGuard } from './http/pageGuard.ts';
import { registerRootReplies, sendError } from './http/replyError.ts';
import { registerSecurityHeaders } from './http/securityHeaders.ts';
import { registerStaticAssets } from './http/staticAssets.ts';
import { registerMediaEndpoints } from './http/whip/registerMediaEndpoints.ts';
import { Role, type ZoneId } from '../shared/index.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { GatewayMetrics } from './observability/metrics.ts';
import { logAuditEntry, registerRequestLog } from './observability/requestLog.ts';
import { ZoneQuality } from './observability/ZoneQuality.ts';
import { SceneEvents } from './events/SceneEvents.ts';
import { MqttPublisher } from './events/MqttPublisher.ts';
import { RelayRecordings } from './evidence/RelayRecordings.ts';
import { LocalClipStore, S3ClipStore, type ClipStore } from './evidence/ClipStore.ts';
import { Evidence } from './evidence/Evidence.ts';
import { createSignalling, type Signalling } from './signalling/createSignalling.ts';
import { openStore } from './store/openStore.ts';
import type { Store } from './store/types.ts';
import { ensureCertificate, type TlsMaterial } from './tls/ensureCertificate.ts';
import { ZoneRegistry } from './zones/ZoneRegistry.ts';
import { LocalPresence, type ZonePresence } from './zones/ZonePresence.ts';
import { Cluster } from './cluster/Cluster.ts';
import { MediaRelay } from './media/MediaRelay.ts';
import { RelayWorkers } from './media/RelayWorkers.ts';
import { CameraSources } from './cameras/CameraSources.ts';
import { IpCameras } from './cameras/IpCameras.ts';
import { SecretBox } from './cameras/SecretBox.ts';

export interface Gateway extends ApiContext {
  readonly config: GatewayConfig;
  readonly tls: TlsMaterial;
  readonly presence: ZonePresence;
  /** Null on a single box (no Redis configured). */
  readonly cluster: Cluster | null;
  readonly signalling: Signalling;
  /** The media relay's workers; null when media is peer to peer only. */
  readonly relayWorkers: RelayWorkers | null;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly webBundle: boolean;
  /**
   * The admin made at first start, for the banner to print once; null when an admin existed.
   * Made only once the gateway listens, so a start that fails before (a busy port) loses no
   * password: the next start makes and prints it.
   */
  readonly firstAdmin: { username: string; password: string; generated: boolean } | null;
  /** Starts listening, then makes the first admin if there is none; resolves with the bound port (useful with port 0). */
  listen(): Promise<AddressInfo>;
  /** Stops accepting, drops clients so they reconnect elsewhere, closes the server and the store. Idempotent. */
  close(): Promise<void>;
}

export interface GatewayDependencies {
  logger?: Logger;
}

const DAY_MS = 86_400_000;

/** The composition root: builds and wires every part. Tests call this; main.ts only adds the process around it. */
export async function createGateway(config: GatewayConfig, dependencies: GatewayDependencies = {}): Promise<Gateway> {
  const logger = dependencies.logger ?? createLogger(config.logLevel);
  const tls = await ensureCertificate(config);
  const store: Store = await openStore(config, logger.child({ subsystem: 'store' }));
  const audit = new AuditTrail(store, {
    onWriteError: (error, draft) => logger.error({ err: error, kind: draft.kind }, 'audit write failed'),
  });
  const cluster = config.redis.url
    ? await Cluster.join(config.redis.url, logger.child({ subsystem: 'cluster' }), async (node) => {
      // A node died: the views and publishes it held end in the trail now.
      await audit.closeCrashed(async (owner) => owner === node);
    })
    : null;
  // A process that died mid-view left views open: close them before anything new starts (in a
  // cluster, only those of nodes no longer alive).
  const crashed = await audit.closeCrashed(cluster ? async (node) => !(await cluster.isNodeAlive(node)) : undefined);
  if (crashed > 0) logger.warn({ crashed }, 'closed views and publishes left open by a crash');
  await audit.prune(config.audit.retentionDays);
  const limiter = new LoginLimiter(cluster?.rateLimiter ?? store.rateLimiter);
  const auth = new AuthService(store, audit, limiter, {
    lifetimeSeconds: Math.round(config.session.lifetimeHours * 3600),
    idleSeconds: Math.round(config.session.idleMinutes * 60),
  }, logger.child({ subsystem: 'auth' }));
  const cameraKeys = new CameraKeys(store, limiter);
  const access = new LiveAccess(store, auth, cameraKeys, logger.child({ subsystem: 'access' }));
  const accounts = new Accounts(store, audit, cameraKeys);
  const accountLocks = new AccountLocks(store, audit, limiter);
  const mediaTokens = new MediaTokens(store, audit, cluster?.rateLimiter ?? store.rateLimiter);

  const app = Fastify({
    https: { cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' },
    // One line per request, written by registerRequestLog (with the request id), not Fastify's two.
    loggerInstance: logger.child({ subsystem: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
    // Keep-alive connections must not hold a shutdown open.
    forceCloseConnections: true,
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    // A path the router cannot decode is refused in our error format, like every other refusal.
    frameworkErrors: (_error, _request, reply) => sendError(reply, 'PAYLOAD_INVALID', 'The request path is not a valid URL path.'),
  });
  await registerSecurityHeaders(app);
  registerRequestLog(app);
  registerCanonicalPaths(app);
  // Before every plugin: a root hook added later would not reach the /api plugin's routes.
  registerOriginCheck(app, audit, config.allowedOrigins);
  registerRootReplies(app);
  const media = startMediaRelay(config, logger.child({ subsystem: 'media' }));
  if (cluster && media) {
    // In a cluster a zone's relay runs on its camera's node; Redis says which (RedisPresence).
    cluster.presence.useRelay(media.relay);
    media.relay.attach(cluster.presence);
  }
  const presence: ZonePresence = cluster?.presence ?? localPresence(media?.relay, logger);
  const signallingLogger = logger.child({ subsystem: 'signalling' });
  const activity = new ActivityAudit(audit, presence.events, signallingLogger, cluster?.nodeId);
  const cameraSources = new CameraSources(store, audit, SecretBox.open(config.dataDir));
  await cameraSources.reconcile(config.cameras, logger);
  const thumbnails = new Thumbnails(presence);
  const evidence = new Evidence({
    store, audit, logger: logger.child({ subsystem: 'evidence' }), clips: clipStoreOf(config), ringsDir: join(config.dataDir, 'rings'), ffmpeg: 'ffmpeg', settings: config.evidence,
  });
  const ipCameras = new IpCameras({
    store,
    sources: cameraSources,
    logger: logger.child({ subsystem: 'cameras' }),
    ingest: {
      presence, relay: media?.relay ?? null, activity, logger: logger.child({ subsystem: 'cameras' }), ffmpeg: 'ffmpeg', ffprobe: 'ffprobe',
      onKeyframe: (zone, unit) => thumbnails.keyframe(zone, unit),
      ringFor: (zone) => evidence.ringFor(zone),
      releaseRing: (zone) => evidence.releaseRing(zone),
      settingsOf: (zone) => cameraCatalogue.settingsNow(zone),
      // The gateway's own detector of an IP camera: trusted like a camera node's report, its snapshot the latest thumbnail.
      onScene: (zone, camera, event) => void (async () => {
        const ends = event.type.endsWith('.ended') || event.type.endsWith('.cleared');
        const snapshot = ends ? null : await thumbnails.get(zone).catch(() => null);
        await sceneEvents.report(camera, zone, { type: event.type, score: event.score, ...(snapshot ? { snapshot: snapshot.jpeg.toString('base64') } : {}) });
      })().catch((error: unknown) => logger.error({ err: error, zone }, 'an IP camera\'s scene event failed')),
    },
  });
  const edgeCameras = new EdgeCameraReports();
  const cameraCatalogue = new CameraCatalogue(store, audit, logger.child({ subsystem: 'cameras' }));
  await cameraCatalogue.start(presence);
  const recordings = media ? new RelayRecordings({
    presence, relay: media.relay, evidence, recorded: (zone) => cameraCatalogue.settingsNow(zone).record, logger: logger.child({ subsystem: 'evidence' }),
  }) : null;
  cameraCatalogue.onSettings((zone, before, after) => {
    // What the zone showed before its masks changed is not shown again.
    if (JSON.stringify(before.masks) !== JSON.stringify(after.masks)) thumbnails.forget(zone);
    if (before.record !== after.record) void recordings?.changed(zone).catch((error: unknown) => logger.error({ err: error, zone }, 'following a recording change failed'));
  });
  // The admin's name, else the one its IP camera or edge node gives, else its key's label.
  const cameraName = (zone: ZoneId): string | null => {
    const profile = cameraCatalogue.byZone().get(zone);
    return profile?.name ?? ipCameras.byZone().get(zone)?.name ?? edgeCameras.byZone().get(zone)?.name ?? profile?.displayName ?? null;
  };
  /** Every camera this node knows of, by zone, with its name: MQTT announces them to Home Assistant. */
  const cameraNames = () => new Map([...new Set([...cameraCatalogue.byZone().keys(), ...ipCameras.byZone().keys()])].map((zone) => [zone, cameraName(zone)]));
  const sceneEvents = new SceneEvents(store, audit, presence, logger.child({ subsystem: 'events' }), { cameraName });
  // One box: what a stopped gateway left open ends now (in a cluster another node may hold it).
  if (!cluster) await sceneEvents.endLeftOpen();
  const cameraControl = new CameraControl({
    sources: cameraSources, recordOf: (zone) => ipCameras.recordOf(zone), access, activity, logger: logger.child({ subsystem: 'cameras' }),
  });
  const api: ApiContext = { store, auth, cameraKeys, access, audit, accounts, accountLocks, mediaTokens, cameras: { sources: cameraSources, running: ipCameras, edge: edgeCameras, catalogue: cameraCatalogue, thumbnails }, sceneEvents, evidence };
  const quality = new ZoneQuality();
  presence.events.on('watchEnded', (zone, viewer) => quality.forget(viewer.id, zone));
  let signalling: Signalling | null = null;
  const metrics = new GatewayMetrics({
    presence,
    quality,
    relay: media?.workers ?? null,
    ipCameras: () => ipCameras.statuses(),
    mqtt: () => (mqttPublisher ? { connected: mqttPublisher.connected, queued: mqttPublisher.queued } : null),
    operatorsConnected: () => {
      let count = 0;
      for (const socket of signalling?.io.of('/').sockets.values() ?? []) if (socket.data.role === Role.OPERATOR) count += 1;
      return count;
    },
  });
  audit.observeDenials((draft) => metrics.denied(draft));
  const mqttPublisher = config.mqtt.url
    ? new MqttPublisher({ ...config.mqtt, url: config.mqtt.url }, logger.child({ subsystem: 'mqtt' }), { published: () => metrics.mqttPublished(), dropped: () => metrics.mqttDropped() }, () => cameraNames())
    : null;
  sceneEvents.onChange((event, change, before, snapshot) => {
    if (change === 'new') metrics.sceneEventOpened(event.kind);
    mqttPublisher?.publish(event, change, before, snapshot);
    // Where this node keeps the camera's ring buffer, an event is evidence: its clip, with pre- and post-roll.
    if (change === 'new' && evidence.hasRing(event.zone)) {
      const at = Date.parse(event.startedAt);
      void evidence.saveClip({ zone: event.zone, camera: event.camera, fromMs: at - config.evidence.preRollSeconds * 1000, toMs: at + config.evidence.postRollSeconds * 1000, eventId: event.id })
        .then((clip) => (clip ? sceneEvents.clipSaved(event.id, clip.id) : undefined))
        .catch((error: unknown) => logger.error({ err: error, zone: event.zone }, 'an event\'s clip could not be saved'));
    }
  });
  audit.observe(logAuditEntry(logger.child({ subsystem: 'audit' })));
  let draining = false;
  registerHealth(app, () => draining, { store: () => store.ping(), ...(cluster ? { redis: () => cluster.ping() } : {}) });
  await registerApi(app, api, config.allowedOrigins);
  registerMetricsRoute(app, metrics, config.metrics, audit);
  const mediaEndpoints = await registerMediaEndpoints(app, {
    presence, access, audit, tokens: mediaTokens, relayEnabled: media !== null, playersEnabled: !cluster, logger: logger.child({ subsystem: 'whip' }), node: cluster?.nodeId,
  });
  registerPageGuard(app, auth);
  const webBundle = await registerStaticAssets(app, config.webRoot, logger);
  await app.ready();

  signalling = createSignalling({
    httpServer: app.server,
    presence,
    adapter: cluster?.adapter,
    logger: signallingLogger,
    allowedOrigins: config.allowedOrigins,
    addressOf: clientAddressResolver(config.trustedProxies),
    ice: { iceServers: config.iceServers, turn: config.turn },
    iceTransportPolicy: config.iceTransportPolicy,
    auth,
    cameraKeys,
    access,
    audit,
    activity,
    metrics,
    quality,
    ipCameras,
    cameraControl,
    edgeCameras,
    cameraCatalogue,
    thumbnails,
    sceneEvents,
  });
  const io = signalling.io;
  cluster?.presence.attach({
    deliver: (sid, event, payload) => io.to(sid).emit(event, payload as never),
    evict: (sid) => io.in(sid).disconnectSockets(true),
  });
  cluster?.start();
  access.start();
  const pruning = setInterval(() => {
    void audit.prune(config.audit.retentionDays).catch((error: unknown) => logger.error({ err: error }, 'audit prune failed'));
    void evidence.enforceAll().catch((error: unknown) => logger.error({ err: error }, 'evidence retention failed'));
  }, DAY_MS);
  pruning.unref();

  let closing: Promise<void> | null = null;
  let firstAdmin: Gateway['firstAdmin'] = null;
  return {
    ...api,
    config,
    tls,
    presence,
    cluster,
    signalling,
    relayWorkers: media?.workers ?? null,
    metrics,
    logger,
    webBundle,
    get firstAdmin() { return firstAdmin; },
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      firstAdmin = await auth.ensureFirstAdmin(config.adminPassword);
      // Pulled only by a gateway that serves: a start that fails before leaves the cameras alone.
      await ipCameras.start();
      return app.server.address() as AddressInfo;
    },
    close() {
      closing ??= (async () => {
        draining = true;
        clearInterval(pruning);
        access.stop();
        await mediaEndpoints.close();
        await ipCameras.close();
        cameraCatalogue.close();
        thumbnails.close();
        await signalling.close();
        sceneEvents.close();
        recordings?.close();
        evidence.close();
        await mqttPublisher?.close();
        await app.close();
        // Views end as sockets close; let those audit writes land before the store goes.
        await new Promise((resolve) => setImmediate(resolve));
        await activity.drain();
        activity.close();
        await audit.flush();
        await store.close();
        await cluster?.close();
        await media?.workers.close();
      })();
      return closing;
    },
  };
}

/** The media relay's workers, unless media is peer to peer only. */
function startMediaRelay(config: GatewayConfig, logger: Logger): { workers: RelayWorkers; relay: MediaRelay } | null {
  const { media } = config;
  if (media.policy === 'p2p') return null;
  const workers = new RelayWorkers({
    count: media.workers || availableParallelism(),
    eager: media.policy === 'relay',
    logger,
    network: {
      listenAddress: media.listenAddress ?? null,
      announcedAddress: media.announcedAddress ?? null,
      portRange: media.portMin !== undefined && media.portMax !== undefined ? [media.portMin, media.portMax] : null,
      maxBitrateBps: media.maxBitrateKbps * 1000,
    },
  });
  return { workers, relay: new MediaRelay({ policy: media.policy, p2pMaxViewers: media.p2pMaxViewers, workers, logger }) };
}

/** Clips in the data directory, or in the S3-compatible bucket `evidence.s3Bucket` names. */
function clipStoreOf({ dataDir, evidence }: GatewayConfig): ClipStore {
  const { s3Bucket: bucket, s3Endpoint: endpoint, s3Region: region, s3AccessKeyId: accessKeyId, s3SecretAccessKey: secretAccessKey, s3Prefix: prefix } = evidence;
  if (!bucket) return new LocalClipStore(join(dataDir, 'evidence'));
  return new S3ClipStore({ bucket, region, prefix, ...(endpoint ? { endpoint } : {}), ...(accessKeyId ? { accessKeyId } : {}), ...(secretAccessKey ? { secretAccessKey } : {}) });
}

function localPresence(relay: MediaRelay | undefined, logger: Logger): LocalPresence {
  const registry = new ZoneRegistry((error, event) => logger.error({ err: error, event }, 'zone registry listener failed'), relay ? { relay } : {});
  relay?.attach(registry);
  return new LocalPresence(registry);
}
