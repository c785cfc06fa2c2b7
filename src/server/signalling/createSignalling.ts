import type { CameraControl } from '../cameras/CameraControl.ts';
import { EdgeCameraReports } from '../cameras/EdgeCameraReports.ts';
import type { Server as HttpsServer } from 'node:https';
import { Server, type ServerOptions } from 'socket.io';
import {
  Limits,
  PROTOCOL_VERSION,
  protocolError,
  Role,
  Timing,
  CLIENT_EVENT_NAMES,
  DEFAULT_DETECTION,
  type Ack,
  type AckCallback,
  type ClientEventName,
  type ClientReply,
  type ClientRequest,
  type Identity,
  type ProtocolError,
} from '../../shared/index.ts';
import type { LiveAccess, LiveConnection } from '../access/LiveAccess.ts';
import type { Principal } from '../auth/Principal.ts';
import type { Logger } from '../observability/logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { ZoneQuality } from '../observability/ZoneQuality.ts';
import type { Participant } from '../zones/Participant.ts';
import type { ZonePresence } from '../zones/ZonePresence.ts';
import type { ActivityAudit } from '../audit/ActivityAudit.ts';
import { Connection } from './Connection.ts';
import type { Thumbnails } from '../cameras/Thumbnails.ts';
import { combinedCameraDirectory, DirectoryPublisher, type IpCameraDirectory, type CameraInfoDirectory } from './DirectoryPublisher.ts';
import { installEventGuard } from './eventGuard.ts';
import { ScenePublisher } from './ScenePublisher.ts';
import type { SceneEvents } from '../events/SceneEvents.ts';
import { installHandshake, type HandshakeDeps } from './handshake.ts';
import { installSendBudget } from './sendBudget.ts';
import { handlers } from './handlers/index.ts';
import { iceServersFor, renewTurnCredentials, type IceConfig } from './iceProvider.ts';
import { isOriginAllowed } from './originPolicy.ts';
import type { Handler, HandlerContext, VigilServer, VigilSocket } from './types.ts';
import { systemClock, type Clock } from '../util/clock.ts';

export interface SignallingOptions extends HandshakeDeps {
  httpServer: HttpsServer;
  presence: ZonePresence;
  activity: ActivityAudit;
  allowedOrigins: readonly string[];
  ice: IceConfig;
  iceTransportPolicy: 'all' | 'relay';
  metrics: GatewayMetrics;
  quality: ZoneQuality;
  /** Socket.IO's Redis adapter when this node is part of a cluster. */
  adapter?: ServerOptions['adapter'] | undefined;
  /** The IP cameras this node pulls, for the operators' directory. */
  ipCameras?: IpCameraDirectory | null;
  /** Steers the IP cameras reached over ONVIF (PTZ). */
  cameraControl?: CameraControl | null;
  /** What edge nodes report about their cameras. */
  edgeCameras?: EdgeCameraReports;
  /** Named cameras: names, places, last seen, for the directory. */
  cameraCatalogue?: CameraInfoDirectory | null;
  /** Camera nodes' directory thumbnails (the gateway owns them: the HTTP API serves them too). */
  thumbnails: Thumbnails;
  /** Motion and tamper events (the gateway owns them: the HTTP API and MQTT read them too). */
  sceneEvents: SceneEvents;
  /** Time for the connections' timers (TURN renewal); the system clock unless a test moves it. */
  clock?: Clock;
}

export interface Signalling {
  readonly io: VigilServer;
  /** Drops every connection at the transport level, so clients reconnect (to us or a peer node). */
  close(): Promise<void>;
}

function participantFor(socket: VigilSocket): Participant {
  return {
    id: socket.id,
    address: socket.data.address,
    userAgent: String(socket.handshake.headers['user-agent'] ?? '').slice(0, 512),
    principal: socket.data.principal,
    send: (event, ...args) => socket.emit(event, ...args),
    evict: () => socket.disconnect(true),
  };
}

function identityOf(principal: Principal): Identity {
  return principal.kind === 'camera'
    ? { name: principal.label, kind: 'camera', zonePattern: principal.zonePattern }
    : { name: principal.username, kind: principal.role === 'admin' ? 'admin' : 'operator' };
}

export function createSignalling(options: SignallingOptions): Signalling {
  const { presence, logger, access, activity } = options;
  const io: VigilServer = new Server(options.httpServer, {
    serveClient: false,
    // WebSocket only: a session is one connection, so it stays on the node that accepted it
    // (nginx needs no sticky state in front of several nodes), and there is one transport to
    // harden. Every browser Vigil supports speaks WebSocket; so do edge cameras.
    transports: ['websocket'],
    ...(options.adapter ? { adapter: options.adapter } : {}),
    maxHttpBufferSize: Limits.maxPacketBytes,
    // Compression is off: signalling frames are small, and inflation is a denial-of-service vector.
    perMessageDeflate: false,
    httpCompression: false,
    pingInterval: Timing.pingIntervalMs,
    pingTimeout: Timing.pingTimeoutMs,
    connectTimeout: 10_000,
    allowRequest: (req, callback) => {
      if (isOriginAllowed(req, options.allowedOrigins)) callback(null, true);
      else {
        const address = options.addressOf(req);
        // Its audit entry is its log line (a flood of them is summarised per address).
        void options.audit.recordAnonymous({
          kind: 'connect.denied', actor: null, actorRole: null, zone: null, address,
          userAgent: String(req.headers['user-agent'] ?? ''), outcome: 'denied', detail: { code: 'ORIGIN_FORBIDDEN', origin: String(req.headers.origin ?? '') },
        });
        callback('ORIGIN_FORBIDDEN', false);
      }
    },
  });

  installHandshake(io, options);
  // A closing connection releases its zones asynchronously (Redis in a cluster); shutdown waits for it.
  const pendingCloses = new Set<Promise<void>>();
  const clock = options.clock ?? systemClock;
  let shuttingDown = false;
  const edgeCameras = options.edgeCameras ?? new EdgeCameraReports();
  const cameraDirectory = combinedCameraDirectory([...(options.ipCameras ? [options.ipCameras] : []), edgeCameras]);
  const directory = new DirectoryPublisher(io, presence, (principal, zone) => access.mayWatch(principal, zone), logger, cameraDirectory, options.cameraCatalogue ?? null);
  const cameraControl = options.cameraControl ?? null;
  const { thumbnails, sceneEvents } = options;
  const scenes = new ScenePublisher(io, sceneEvents, (principal, zone) => access.mayWatch(principal, zone), logger, Boolean(options.adapter));
  const context: HandlerContext = {
    presence, logger, access, activity, quality: options.quality, cameraControl, edgeCameras, thumbnails, sceneEvents, zonesFor: (principal) => directory.zonesFor(principal),
    settingsOf: async (zone) => (await options.cameraCatalogue?.settings(zone)) ?? { masks: [], detection: DEFAULT_DETECTION, record: false },
  };

  io.on('connection', (socket) => {
    const principal = socket.data.principal;
    const socketLogger = logger.child({ socket: socket.id, role: socket.data.role, who: identityOf(principal).name, address: socket.data.address });
    const connection = new Connection(participantFor(socket), socketLogger, clock);
    const { participant } = connection;
    socketLogger.info('connected');
    socket.on('disconnect', (reason) => {
      socketLogger.info({ reason }, 'disconnected');
      const closing = connection.close(reason);
      pendingCloses.add(closing);
      void closing.finally(() => pendingCloses.delete(closing));
    });

    installSendBudget(socket, (pending) => {
      socketLogger.warn(pending, 'connection stopped reading: disconnecting');
      activity.denied('connection.dropped', participant, null, protocolError('SEND_BUFFER_FULL'), pending);
    });
    installEventGuard(socket, socketLogger, {
      onDenied: (event, error) => activity.denied('event.denied', participant, null, error, { event }),
      onRateLimited: () => options.metrics.socketEventRateLimited(),
    });
    for (const event of CLIENT_EVENT_NAMES) serve(socket, connection, event);

    // Released the last taken first: the directory, live access, then the zones (the audit
    // sees the views end), then what the connection left in the audit and quality bookkeeping.
    connection.own('quality figures', () => options.quality.forget(participant.id));
    connection.own('audit activity', () => activity.forget(participant));
    if (cameraControl) connection.own('cameras it moved', () => cameraControl.release({ participant, principal }));
    connection.own('its edge camera reports', () => edgeCameras.forget(participant.id));
    connection.own('zones', () => presence.leave(participant, shuttingDown));
    const live = liveConnectionOf(socket, connection);
    access.register(live);
    connection.own('live access', () => access.unregister(live));

    const turnUser = principal.kind === 'user' ? `u${principal.userId}` : `k${principal.keyId}`;
    const ice = iceServersFor(options.ice, turnUser, clock.now());
    renewTurnCredentials(connection, ice.iceServersExpireAt, () => iceServersFor(options.ice, turnUser, clock.now()), (fresh) => socket.emit('ice:servers', fresh));

    socket.emit('session:ready', {
      protocol: PROTOCOL_VERSION,
      role: socket.data.role,
      identity: identityOf(principal),
      ...ice,
      iceTransportPolicy: options.iceTransportPolicy,
      serverTime: clock.now(),
    });
    // After session:ready: the whole directory is the operator's first message after it.
    if (socket.data.role === Role.OPERATOR) {
      directory.add(socket);
      connection.own('directory', () => directory.remove(socket));
      void scenes.sendRecent(socket, sceneEvents);
    }
  });

  /** Registers the handler of `event`: its reply type is the one the event table declares. */
  function serve<E extends ClientEventName>(socket: VigilSocket, connection: Connection, event: E): void {
    const handler: Handler<E> = handlers[event];
    const listener = (msg: ClientRequest<E>, ack?: AckCallback<ClientReply<E>>) => {
      const handled = options.metrics.messageReceived(event);
      const respond = (reply: Ack<ClientReply<E>>) => {
        handled?.();
        if (ack) ack(reply);
        else if (!reply.ok) socket.emit('vigil:error', { event, error: reply.error });
      };
      const fail = (error: unknown) => {
        connection.logger.error({ err: error, event }, 'handler failed');
        respond({ ok: false, error: protocolError('INTERNAL') });
      };
      try {
        const reply = handler(context, { socket, participant: connection.participant, candidates: connection.candidates, logger: connection.logger, msg });
        if (reply instanceof Promise) reply.then(respond, fail);
        else respond(reply);
      } catch (error) {
        fail(error);
      }
    };
    // The listener is typed from the event table above; TypeScript cannot reduce Socket.IO's
    // listener type for a generic event name, so the registration alone is untyped.
    (socket.on as (event: E, listener: (msg: ClientRequest<E>, ack?: AckCallback<ClientReply<E>>) => void) => void)(event, listener);
  }

  function liveConnectionOf(socket: VigilSocket, connection: Connection): LiveConnection {
    const { participant, logger: socketLogger } = connection;
    return {
      id: socket.id,
      principal: socket.data.principal,
      watchedZones: () => presence.watchedBy(participant),
      end(error: ProtocolError) {
        socketLogger.info({ code: error.code }, 'credential ended: disconnecting');
        socket.emit('session:ended', { error });
        socket.disconnect(true);
      },
      cutView(zone, error) {
        void presence.unwatch(participant, zone, 'access_revoked').catch((error: unknown) => socketLogger.error({ err: error, zone }, 'cutting a view failed'));
        socket.emit('zone:revoked', { zone, error });
      },
      refreshDirectory: () => directory.sendTo(socket),
    };
  }

  return {
    io,
    close: async () => {
      // Connections closed by our own shutdown leave quietly: the video they carry peer to peer
      // goes on, and both ends resume their pairings with the next gateway (see ZoneRegistry.leave).
      shuttingDown = true;
      directory.close();
      scenes.close();
      // Not io.close(): it would close the HTTP server too, which the gateway owns.
      io.engine.close();
      await Promise.allSettled([...pendingCloses]);
      // Stops a cluster adapter's stream reading and heartbeats (a no-op in memory).
      await io.of('/').adapter.close();
    },
  };
}
