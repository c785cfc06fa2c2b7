/**
 * The signalling protocol: typed Socket.IO event maps and the zod schemas that guard them.
 * Imported by the server, the browser bundle and (later) the edge node; documented in
 * docs/protocol.md. Version bumps when a message changes shape.
 */
import { z } from 'zod';
import { edgeCameraStatusSchema, type CameraStatus } from './cameraSources.ts';
import type { CameraInfo } from './cameraProfiles.ts';
import { ptzMoveSchema, ptzPresetSchema, type PtzPreset } from './ptz.ts';
import type { ErrorCode, ProtocolError } from './errors.ts';
import { Limits } from './limits.ts';
import { Role } from './roles.ts';
import { cameraSettingsRequestSchema, type CameraSettings } from './privacyMasks.ts';
import { sceneAnnotationSchema, sceneEventRefSchema, sceneReportSchema, type SceneChange, type SceneEvent } from './sceneEvents.ts';
import { zoneFieldSchema, zoneIdSchema, type ZoneId } from './zoneId.ts';

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------- schemas

const zoneField = zoneFieldSchema;

export const peerIdSchema = z.string().min(1).max(Limits.peerIdMaxLength).regex(/^[A-Za-z0-9_-]+$/);
export type PeerId = z.infer<typeof peerIdSchema>;

/**
 * Operators are authenticated by their session cookie, which the browser sends with the
 * WebSocket upgrade; cameras by an API key in `auth` (never in the URL, which ends up in logs).
 */
export const handshakeAuthSchema = z.strictObject({
  role: z.enum([Role.CAMERA, Role.OPERATOR]),
  protocol: z.literal(PROTOCOL_VERSION).optional(),
  apiKey: z.string().min(1).max(Limits.apiKeyMaxLength).optional(),
});
export type HandshakeAuth = z.infer<typeof handshakeAuthSchema>;

export const publishSchema = z.strictObject({
  zone: zoneField,
  /** Secret the camera chose at its first publish; presenting it again replaces a stale session. */
  resumeToken: z.string().length(Limits.resumeTokenLength).regex(/^[A-Za-z0-9_-]+$/),
  /**
   * Peers whose connection the camera still has after its signalling came back (a gateway
   * restart, a network blip): each is kept, not renegotiated, when its viewer claims it too.
   */
  resumePeers: z.array(peerIdSchema).max(Limits.maxResumePeers).optional(),
});

export const zoneRefSchema = z.strictObject({ zone: zoneField });
/** A still an operator saves of a tile: what it is (its SHA-256 and size), recorded before the file exists. */
export const snapshotSchema = z.strictObject({
  zone: zoneField,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex'),
  width: z.number().int().min(1).max(8192),
  height: z.number().int().min(1).max(8192),
});
/** A camera node's directory thumbnail: a small JPEG of what it publishes, base64. */
export const thumbnailSchema = z.strictObject({
  zone: zoneField,
  jpeg: z.string().max(Math.ceil(Limits.maxThumbnailBytes / 3) * 4).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
});

export const watchSchema = z.strictObject({
  zone: zoneField,
  /** The peer whose connection this console still plays for the zone: kept when the camera claims it too. */
  resumePeerId: peerIdSchema.optional(),
});

export const sdpSchema = z.strictObject({
  peerId: peerIdSchema,
  sdp: z.string().min(1).max(Limits.sdpMaxLength).startsWith('v=0'),
});

export const iceCandidateSchema = z.strictObject({
  candidate: z.string().max(Limits.candidateMaxLength),
  sdpMid: z.string().max(32).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

export const candidateSchema = z.strictObject({
  peerId: peerIdSchema,
  /** null marks the end of gathering. */
  candidate: iceCandidateSchema.nullable(),
});

export const peerRefSchema = z.strictObject({ peerId: peerIdSchema });

export const ICE_PATHS = ['host', 'srflx', 'prflx', 'relay'] as const;

/** One tile's network quality, as the console measured it with getStats. */
export const qualitySampleSchema = z.strictObject({
  zone: zoneField,
  /** Local candidate type of the selected pair: how media reaches this console. */
  icePath: z.enum(ICE_PATHS).nullable(),
  rttMs: z.number().min(0).max(60_000).nullable(),
  /** Fraction of packets lost since the previous sample, 0…1. */
  lossRatio: z.number().min(0).max(1).nullable(),
  bitrateBps: z.number().min(0).max(1e9).nullable(),
  fps: z.number().min(0).max(240).nullable(),
});

/** Every few seconds, a console's live tiles; zones it does not watch are ignored. */
export const qualityReportSchema = z.strictObject({
  tiles: z.array(qualitySampleSchema).max(Limits.maxWatchedZones),
});

export type PublishRequest = z.infer<typeof publishSchema>;
export type ZoneRef = z.infer<typeof zoneRefSchema>;
export type WatchRequest = z.infer<typeof watchSchema>;
export type SdpMessage = z.infer<typeof sdpSchema>;
export type IceCandidate = z.infer<typeof iceCandidateSchema>;
export type CandidateMessage = z.infer<typeof candidateSchema>;
export type PeerRef = z.infer<typeof peerRefSchema>;
export type QualitySample = z.infer<typeof qualitySampleSchema>;
export type QualityReport = z.infer<typeof qualityReportSchema>;

// ---------------------------------------------------------------- replies

/** Every acknowledgement is either `{ ok: true, ... }` or `{ ok: false, error }`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ProtocolError };
export type AckCallback<T extends object = object> = (reply: Ack<T>) => void;

export type ZoneState = 'waiting' | 'live';

export interface ZoneSummary {
  zone: ZoneId;
  cameraOnline: boolean;
  viewers: number;
  /**
   * The zone's camera is an IP camera the gateway pulls: its name and where its ingest stands
   * (`live`, or why not, since when). Such a zone is listed even while the camera is down.
   */
  ipCamera?: { name: string; status: CameraStatus; since: string; ptz: boolean };
  /**
   * The camera as an admin named and placed it, and when it was last seen: such a zone is listed
   * while its camera is offline ("offline since"), never seen, or its key revoked.
   */
  camera?: CameraInfo;
}

export interface PublishResult {
  zone: ZoneId;
  replacedStaleSession: boolean;
  /** Of the `resumePeers` asked for, those kept: paired again, or held for their viewer for `Timing.resumeGraceMs`. Close the others. */
  resumedPeers: PeerId[];
}
export interface WatchResult {
  zone: ZoneId;
  state: ZoneState;
  /** The `resumePeerId` was paired with the camera again: keep that connection, no offer follows. */
  resumed: boolean;
}
export interface ZoneListResult { zones: ZoneSummary[] }

/** What the event timeline says happened: a camera came online or went offline (edge-intelligence events join later). */
export const TIMELINE_KINDS = ['camera.online', 'camera.offline'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];
export interface TimelineEvent {
  /** Increasing on this gateway node. */
  id: number;
  at: string;
  zone: ZoneId;
  kind: TimelineKind;
  /** The camera's name when the gateway knows it (its admin-given name, its key's label, an IP camera's name). */
  camera: string | null;
  /** Why, when known (an IP camera's status). */
  detail: string | null;
}
/** A directory delta: zones whose summary changed (or appeared), and zones that no longer exist. */
export interface ZoneDirectoryUpdate { zones: ZoneSummary[]; removed: ZoneId[] }

// ---------------------------------------------------------------- the client event table

/** Carries a reply type in the table (the value itself is never read). */
const replyOf = <T extends object>(): T => undefined as unknown as T;
/** An acknowledgement with nothing but `ok: true`. */
const noReply = replyOf<object>();

/**
 * Every client→server event: its schema, the roles allowed to send it, and what its success
 * reply carries. Deny by default: the guard refuses anything not here. ClientToServerEvents, the
 * guard's rules and the server's handler table are all derived from this one table, so adding an
 * event is one entry here, one handler, and its row in docs/protocol.md (a test checks the row).
 */
export const clientEvents = {
  'camera:publish': { schema: publishSchema, roles: [Role.CAMERA], reply: replyOf<PublishResult>() },
  'camera:unpublish': { schema: zoneRefSchema, roles: [Role.CAMERA], reply: noReply },
  'camera:status': { schema: edgeCameraStatusSchema, roles: [Role.CAMERA], reply: noReply },
  'camera:thumbnail': { schema: thumbnailSchema, roles: [Role.CAMERA], reply: noReply },
  'camera:settings': { schema: cameraSettingsRequestSchema, roles: [Role.CAMERA], reply: replyOf<CameraSettings>() },
  'camera:scene': { schema: sceneReportSchema, roles: [Role.CAMERA], reply: noReply },
  'event:acknowledge': { schema: sceneEventRefSchema, roles: [Role.OPERATOR], reply: replyOf<{ event: SceneEvent }>() },
  'event:annotate': { schema: sceneAnnotationSchema, roles: [Role.OPERATOR], reply: replyOf<{ event: SceneEvent }>() },
  'zone:watch': { schema: watchSchema, roles: [Role.OPERATOR], reply: replyOf<WatchResult>() },
  'zone:unwatch': { schema: zoneRefSchema, roles: [Role.OPERATOR], reply: noReply },
  'zone:list': { schema: z.strictObject({}), roles: [Role.OPERATOR, Role.CAMERA], reply: replyOf<ZoneListResult>() },
  'zone:snapshot': { schema: snapshotSchema, roles: [Role.OPERATOR], reply: noReply },
  'signal:offer': { schema: sdpSchema, roles: [Role.CAMERA], reply: noReply },
  'signal:answer': { schema: sdpSchema, roles: [Role.OPERATOR], reply: noReply },
  'signal:candidate': { schema: candidateSchema, roles: [Role.CAMERA, Role.OPERATOR], reply: noReply },
  'signal:restart': { schema: peerRefSchema, roles: [Role.OPERATOR], reply: noReply },
  'signal:close': { schema: peerRefSchema, roles: [Role.OPERATOR], reply: noReply },
  'quality:report': { schema: qualityReportSchema, roles: [Role.OPERATOR], reply: replyOf<{ accepted: number }>() },
  'ptz:presets': { schema: zoneRefSchema, roles: [Role.OPERATOR], reply: replyOf<{ presets: PtzPreset[] }>() },
  'ptz:move': { schema: ptzMoveSchema, roles: [Role.OPERATOR], reply: noReply },
  'ptz:stop': { schema: zoneRefSchema, roles: [Role.OPERATOR], reply: noReply },
  'ptz:preset': { schema: ptzPresetSchema, roles: [Role.OPERATOR], reply: noReply },
} as const satisfies Record<string, { schema: z.ZodType; roles: readonly Role[]; reply: object }>;

export type ClientEventName = keyof typeof clientEvents;
export const CLIENT_EVENT_NAMES = Object.keys(clientEvents) as ClientEventName[];
/** The payload of `E` as its schema parsed it. */
export type ClientRequest<E extends ClientEventName> = z.infer<(typeof clientEvents)[E]['schema']>;
/** What `E`'s success acknowledgement carries besides `ok: true`. */
export type ClientReply<E extends ClientEventName> = (typeof clientEvents)[E]['reply'];

export function isClientEventName(name: unknown): name is ClientEventName {
  return typeof name === 'string' && Object.hasOwn(clientEvents, name);
}

export type ClientToServerEvents = {
  [E in ClientEventName]: (msg: ClientRequest<E>, ack?: AckCallback<ClientReply<E>>) => void;
};

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Who the gateway authenticated this connection as. */
export interface Identity {
  /** The operator's username, or the camera key's label. */
  name: string;
  /** `admin` or `operator` for a console, `camera` for a camera node. */
  kind: 'admin' | 'operator' | 'camera';
  /** A camera key's zone pattern (`CBD-*`); absent for people. */
  zonePattern?: string;
}

export interface SessionReady {
  protocol: typeof PROTOCOL_VERSION;
  role: Role;
  identity: Identity;
  iceServers: IceServer[];
  /** When TURN credentials in `iceServers` stop working (ms since epoch); null without TURN. */
  iceServersExpireAt: number | null;
  /** `relay` forces media through TURN (configured by the city, e.g. to hide client addresses). */
  iceTransportPolicy: 'all' | 'relay';
  serverTime: number;
}

/** Why a camera↔viewer peer ended; the other side closes its RTCPeerConnection. */
export type PeerCloseReason = 'viewer_left' | 'camera_left' | 'camera_replaced' | 'access_revoked';

export interface ServerToClientEvents {
  'session:ready': (msg: SessionReady) => void;
  /** To a camera: a viewer wants video; open an RTCPeerConnection for `peerId` and send an offer. */
  'viewer:joined': (msg: { zone: ZoneId; peerId: PeerId }) => void;
  /** To a camera: the viewer of `peerId` is gone; close that RTCPeerConnection. */
  'viewer:left': (msg: { zone: ZoneId; peerId: PeerId; reason: PeerCloseReason }) => void;
  /**
   * To a camera: how many operators watch its zone, and whether they get its video through the
   * media relay (then its one connection serves them all). Sent when either changes.
   */
  'zone:audience': (msg: { zone: ZoneId; viewers: number; relayed: boolean }) => void;
  /** To the camera publishing the zone: its privacy masks or detection settings changed; from the next frame. */
  'camera:settings': (msg: { zone: ZoneId } & CameraSettings) => void;
  /** To an operator: the zone's camera came online (`live`) or is absent (`waiting`). */
  'zone:state': (msg: { zone: ZoneId; state: ZoneState; reason?: PeerCloseReason }) => void;
  /** To an operator at connect: the whole zone directory. */
  'zone:directory': (msg: ZoneListResult) => void;
  /** To operators: timeline events of zones they may watch; the recent ones at connect, then each as it happens. */
  'timeline:events': (msg: { events: TimelineEvent[] }) => void;
  /**
   * To operators: motion and tamper events of zones they may watch; the recent ones at connect
   * (no `change`), then each as it opens (`new`), changes (`update`: a higher score, an
   * acknowledgement, a note) or ends (`end`). The same id replaces what a console holds.
   */
  'scene:events': (msg: { events: SceneEvent[]; change?: SceneChange }) => void;
  /** To operators: what changed in the directory since the last push (coalesced), never the whole list. */
  'zone:updated': (msg: ZoneDirectoryUpdate) => void;
  /** Relayed to the one peer addressed; `zone` tells a multi-zone viewer which tile it is for. */
  /** `via: 'relay'`: the offer comes from the gateway's media relay, not from the camera itself. */
  'signal:offer': (msg: SdpMessage & { zone: ZoneId; via?: 'relay' }) => void;
  'signal:answer': (msg: SdpMessage & { zone: ZoneId }) => void;
  'signal:candidate': (msg: CandidateMessage & { zone: ZoneId }) => void;
  'signal:restart': (msg: PeerRef & { zone: ZoneId }) => void;
  /** Fresh TURN credentials, pushed before the previous ones expire; used for new peers and ICE restarts. */
  'ice:servers': (msg: { iceServers: IceServer[]; iceServersExpireAt: number | null }) => void;
  /** To an operator: a grant was removed or expired; the zone's view was cut and its tile must close. */
  'zone:revoked': (msg: { zone: ZoneId; error: ProtocolError }) => void;
  /**
   * The session or camera key ended (expired, logged out, revoked, account disabled); the server
   * disconnects right after. Clients must not reconnect with the same credential.
   */
  'session:ended': (msg: { error: ProtocolError }) => void;
  /** A refusal for an event sent without an acknowledgement callback. */
  'vigil:error': (msg: { event: string; error: ProtocolError }) => void;
}

export type { ErrorCode, ProtocolError };
