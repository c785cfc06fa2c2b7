/**
 * What the gateway and a relay worker say to each other over IPC. The worker holds the WebRTC
 * ends (werift) of every relayed zone it was given; the gateway holds the signalling and the
 * access decisions, and tells the worker only what it decided. Kept small and transport-neutral
 * so that a native media server can stand behind the same messages where one is packaged.
 */
import type { IceCandidate, PeerId, ZoneId } from '../../shared/index.ts';

export type RelayRequest =
  /** The zone's camera offered its video to the relay: answer it. */
  | { op: 'publish'; zone: ZoneId; peerId: PeerId; sdp: string }
  /**
   * A viewer of the zone was paired with the relay: make the offer it will answer, or, with the
   * viewer's own `offer` (a WHEP player), the answer to it.
   */
  | { op: 'subscribe'; zone: ZoneId; peerId: PeerId; offer?: string }
  /**
   * The zone's camera is an IP camera: its video will come as plain RTP from a local ffmpeg.
   * Answered with the loopback ports to send it to.
   */
  | { op: 'ingest'; zone: ZoneId; peerId: PeerId }
  /** The viewer's answer to our offer. */
  | { op: 'answer'; peerId: PeerId; sdp: string }
  /** A trickled candidate from the camera or a viewer (null: its gathering is complete). */
  | { op: 'candidate'; peerId: PeerId; candidate: IceCandidate | null }
  /** The viewer asked for an ICE restart (its connection failed): a new offer follows. */
  | { op: 'restart'; peerId: PeerId }
  /**
   * Keep the zone's evidence ring buffer in `dir` (null: stop): the camera's stream, copied as it
   * arrives, cut into segments by a local ffmpeg; the camera is asked for a keyframe every segment.
   */
  | { op: 'record'; zone: ZoneId; dir: string | null }
  /** The pairing ended: close its connection. Unknown peers are ignored. */
  | { op: 'close'; peerId: PeerId }
  | { op: 'stats' };

export interface RelayZoneStats {
  zone: ZoneId;
  /** How the camera's one stream comes in: a WebRTC connection, loopback RTP (an IP camera), or none yet. */
  publisher: 'webrtc' | 'rtp' | null;
  subscribers: number;
  /** Packets and bytes written towards viewers, summed over them. */
  forwardedPackets: number;
  forwardedBytes: number;
  nacks: number;
  /** Keyframe requests sent to the camera (after aggregation). */
  plis: number;
  /** Viewers that waited for a keyframe before their first packet. */
  keyframeWaits: number;
  /** Times a viewer fell behind and was dropped to the next keyframe. */
  fellBehind: number;
  /** Viewers that started on the packets since a recent keyframe, replayed (fast start). */
  replays: number;
  /** Its evidence ring buffer is kept (op `record`). */
  recording: boolean;
}

export interface RelayStats {
  zones: RelayZoneStats[];
  /** Event-loop delay p99 in ms since the last sample, and process CPU in µs since start. */
  eventLoopLagMs: number;
  cpuMicros: number;
}

export type RelayReplyOf<R extends RelayRequest> = R extends { op: 'publish' } ? { sdp: string }
  : R extends { op: 'subscribe' } ? { sdp: string }
  : R extends { op: 'restart' } ? { sdp: string }
  : R extends { op: 'ingest' } ? { port: number; rtcpPort: number }
  : R extends { op: 'stats' } ? RelayStats
  : Record<string, never>;

/** gateway → worker */
export type ToWorker = { id: number; request: RelayRequest };

/** worker → gateway: a reply to a request, or an event about a peer. */
export type FromWorker =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; message: string }
  | { event: 'ready' }
  | { event: 'peer-state'; peerId: PeerId; state: 'connected' | 'failed' | 'closed' };
