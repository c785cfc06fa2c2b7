import type { Server, Socket } from 'socket.io';
import type {
  Ack,
  ClientEventName,
  ClientReply,
  ClientRequest,
  ClientToServerEvents,
  Role,
  CameraSettings,
  SceneChange,
  ZoneId,
  SceneEvent,
  ServerToClientEvents,
  ZoneSummary,
} from '../../shared/index.ts';
import type { LiveAccess } from '../access/LiveAccess.ts';
import type { Principal } from '../auth/Principal.ts';
import type { Logger } from '../observability/logger.ts';
import type { ZoneQuality } from '../observability/ZoneQuality.ts';
import type { Participant } from '../zones/Participant.ts';
import type { ZonePresence } from '../zones/ZonePresence.ts';
import type { ActivityAudit } from '../audit/ActivityAudit.ts';
import type { CameraControl } from '../cameras/CameraControl.ts';
import type { Thumbnails } from '../cameras/Thumbnails.ts';
import type { EdgeCameraReports } from '../cameras/EdgeCameraReports.ts';
import type { CandidateBudget } from './CandidateBudget.ts';
import type { SceneEvents } from '../events/SceneEvents.ts';

/** Set by the handshake middleware; a socket without it never reaches a handler. */
export interface SocketData {
  role: Role;
  principal: Principal;
  /** The client's address (from X-Forwarded-For only behind a trusted proxy). */
  address: string;
}

/** Between the nodes of a cluster (Socket.IO's serverSideEmit over the Redis adapter). */
export interface InterServerEvents {
  /** A scene event opened, changed or ended on the node of its camera: each node tells its own operators. */
  'scene:event': (event: SceneEvent, change: SceneChange) => void;
}

export type VigilServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type VigilSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface HandlerContext {
  readonly presence: ZonePresence;
  readonly access: LiveAccess;
  readonly activity: ActivityAudit;
  readonly quality: ZoneQuality;
  readonly logger: Logger;
  /** What edge nodes report about the cameras they pull. */
  readonly edgeCameras: EdgeCameraReports;
  /** Camera nodes' thumbnails for the directory. */
  readonly thumbnails: Thumbnails;
  /** Motion and tamper events: camera nodes report them, operators acknowledge them. */
  readonly sceneEvents: SceneEvents;
  /** Steers IP cameras (PTZ); null when the gateway has none to steer. */
  readonly cameraControl: CameraControl | null;
  /** What the zone's camera node is told (masks, detection) as the store has it now. */
  settingsOf(zone: ZoneId): Promise<CameraSettings>;
  /** The zones a principal may see, as its directory shows them (IP cameras included). */
  zonesFor(principal: Principal): Promise<ZoneSummary[]>;
}

/** What a handler sees: the sending connection and the payload its schema already parsed. */
export interface HandlerCall<E extends ClientEventName> {
  readonly socket: VigilSocket;
  readonly participant: Participant;
  /** ICE candidates this connection sent to each peer since its last description there. */
  readonly candidates: CandidateBudget;
  readonly logger: Logger;
  readonly msg: ClientRequest<E>;
}

/** A handler answers with its event's reply type (from the shared event table), checked here. */
export type Handler<E extends ClientEventName> = (ctx: HandlerContext, call: HandlerCall<E>) => Ack<ClientReply<E>> | Promise<Ack<ClientReply<E>>>;

export type HandlerTable = { readonly [E in ClientEventName]: Handler<E> };
