import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { Timing, type CameraStatus, type ClientToServerEvents, type PeerId, type ServerToClientEvents } from '../shared/index.ts';
import { FfmpegPull, jittered, QUICK_PROBE_SECONDS, retryDelayMs } from '../server/cameras/FfmpegPull.ts';
import { CameraFault, probeCamera, type CameraTarget } from '../server/cameras/probeCamera.ts';
import { keyframeThumbnail } from '../server/cameras/keyframeThumbnail.ts';
import type { Logger } from '../server/observability/logger.ts';
import type { RelayNetwork } from '../server/media/worker/peerNetwork.ts';
import { ZoneRelay } from '../server/media/worker/ZoneRelay.ts';

type EdgeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface EdgeCameraOptions {
  zone: string;
  name: string;
  target: CameraTarget;
  transcode: boolean;
  gateway: string;
  key: string;
  /** TLS for the gateway: its CA, or none checked (a lab). */
  tls: { ca?: string; rejectUnauthorized: boolean };
  network: RelayNetwork;
  ffmpeg: string;
  ffprobe: string;
  logger: Logger;
}

const INGEST_PEER = 'edge-ingest' as PeerId;
/** After the gateway closed the connection (a drain, a restart): ask again this soon. */
const RECONNECT_AFTER_KICK_MS = 1_000;

/**
 * One camera at a site, published from the site: ffmpeg pulls it on the site's network (H.264
 * copied, never decoded) into a local relay, and the node publishes the zone to the central
 * gateway as a camera does (its key, the camera protocol), offering each of the zone's viewers —
 * an operator peer to peer, or the central relay, which then fans it out — a copy of the one
 * stream. A camera that fails is unpublished (the zone shows it offline) and tried again; the
 * gateway connection reconnects by itself and publishes again.
 */
export class EdgeCamera {
  readonly #relay: ZoneRelay;
  readonly #socket: EdgeSocket;
  readonly #resumeToken = randomBytes(32).toString('base64url');
  #pull: FfmpegPull | null = null;
  #live = false;
  #closed = false;
  #attempt = 0;
  #retry: NodeJS.Timeout | null = null;
  #reconnect: NodeJS.Timeout | null = null;
  /** The gateway ended the key (revoked): never presented again. */
  #ended = false;
  /** What the gateway is told about this camera (`camera:status`): at every change and every connect. */
  #status: { status: CameraStatus; reason: string | null } = { status: 'connecting', reason: null };
  readonly #logger: Logger;
  /** The camera's latest keyframe (copied by ffmpeg), and whether it was sent upstream as a thumbnail yet. */
  #keyframe: Buffer | null = null;
  readonly #thumbnails: NodeJS.Timeout;

  constructor(private readonly options: EdgeCameraOptions) {
    // The directory's thumbnail, decoded here from the latest keyframe and sent upstream like a camera page's.
    this.#thumbnails = setInterval(() => void this.#sendThumbnail(), Timing.thumbnailIntervalMs);
    this.#logger = options.logger.child({ zone: options.zone });
    this.#relay = new ZoneRelay(options.zone, options.network, () => undefined);
    this.#socket = io(options.gateway, {
      auth: { role: 'camera', protocol: 1, apiKey: options.key },
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelayMax: 10_000,
      ...options.tls,
    });
    this.#socket.on('connect', () => {
      this.#logger.info('connected to the gateway');
      this.#report();
      if (this.#live) void this.#publish();
    });
    this.#socket.on('disconnect', (reason) => {
      this.#logger.warn({ reason }, 'gateway connection lost: reconnecting');
      // Socket.IO reconnects by itself unless the gateway closed the connection: a node shutting
      // down or draining does that too, so the edge node asks again itself (not with a credential
      // the gateway ended: session:ended said so first).
      if (reason === 'io server disconnect' && !this.#closed && !this.#ended) {
        this.#reconnect = setTimeout(() => this.#socket.connect(), jittered(RECONNECT_AFTER_KICK_MS));
      }
    });
    this.#socket.on('session:ended', ({ error }) => {
      this.#ended = true;
      this.#logger.error({ code: error.code }, `the gateway ended this camera's key: ${error.message}; not reconnecting with it`);
    });
    this.#socket.on('connect_error', (error) => this.#logger.warn({ err: error.message }, 'cannot reach the gateway: retrying'));
    this.#socket.on('viewer:joined', ({ zone, peerId }) => {
      if (zone === options.zone) void this.#offer(peerId, () => this.#relay.subscribe(peerId));
    });
    this.#socket.on('signal:restart', ({ peerId }) => void this.#offer(peerId, () => this.#relay.restart(peerId)));
    this.#socket.on('signal:answer', ({ peerId, sdp }) => {
      this.#relay.answer(peerId, sdp).catch((error: unknown) => this.#logger.warn({ err: error, peer: peerId }, 'a viewer\'s answer was refused'));
    });
    this.#socket.on('signal:candidate', ({ peerId, candidate }) => {
      this.#relay.addCandidate(peerId, candidate).catch(() => undefined);
    });
    this.#socket.on('viewer:left', ({ peerId }) => this.#relay.close(peerId));
    void this.#start();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#thumbnails);
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#reconnect) clearTimeout(this.#reconnect);
    this.#pull?.stop();
    this.#relay.closeAll();
    this.#socket.disconnect();
  }

  /** Probe, then pull into the local relay; published once the first picture is in. */
  async #start(): Promise<void> {
    if (this.#closed) return;
    try {
      const probe = await probeCamera(this.options.target, this.options.ffprobe, QUICK_PROBE_SECONDS);
      if (!probe.passThrough && !this.options.transcode) throw new CameraFault('unsupported_codec', probe.problem!);
      const ports = await this.#relay.ingest(INGEST_PEER);
      this.#pull = new FfmpegPull({
        ffmpeg: this.options.ffmpeg, target: this.options.target, transcode: this.options.transcode, ports,
        onLive: () => {
          this.#live = true;
          this.#attempt = 0;
          this.#logger.info('camera live');
          this.#setStatus('live', null);
          void this.#publish();
        },
        onEnd: (fault) => this.#failed(fault),
        onKeyframe: (unit) => { this.#keyframe = unit; },
      });
    } catch (error) {
      this.#failed(error instanceof CameraFault ? error : new CameraFault('unreachable', String(error)));
    }
  }

  #failed(fault: CameraFault): void {
    this.#pull?.stop();
    this.#pull = null;
    this.#logger.warn({ status: fault.status }, `camera not live: ${fault.message}`);
    this.#setStatus(fault.status, fault.message);
    if (this.#live && this.#socket.connected) this.#socket.emit('camera:unpublish', { zone: this.options.zone }, () => undefined);
    this.#live = false;
    if (this.#closed) return;
    this.#retry = setTimeout(() => void this.#start(), retryDelayMs(this.#attempt++));
  }

  async #sendThumbnail(): Promise<void> {
    const unit = this.#keyframe;
    if (!unit || !this.#live || !this.#socket.connected) return;
    this.#keyframe = null;
    const jpeg = await keyframeThumbnail(this.options.ffmpeg, unit);
    if (jpeg && this.#live && this.#socket.connected) this.#socket.emit('camera:thumbnail', { zone: this.options.zone, jpeg: jpeg.toString('base64') }, () => undefined);
  }

  async #publish(): Promise<void> {
    if (!this.#socket.connected) return;
    const reply = await this.#socket.timeout(10_000).emitWithAck('camera:publish', { zone: this.options.zone, resumeToken: this.#resumeToken }).catch((error: unknown) => ({ ok: false as const, error: { code: 'INTERNAL', message: String(error) } }));
    if (reply.ok) {
      this.#logger.info('publishing');
      this.#setStatus('live', null);
    } else {
      this.#logger.error({ code: reply.error.code }, `the gateway refused the publish: ${reply.error.message}`);
      if (reply.error.code === 'ZONE_BUSY') this.#setStatus('zone_busy', reply.error.message);
    }
  }

  #setStatus(status: CameraStatus, reason: string | null): void {
    if (this.#status.status === status && this.#status.reason === reason) return;
    this.#status = { status, reason };
    this.#report();
  }

  #report(): void {
    if (!this.#socket.connected) return;
    this.#socket.emit('camera:status', { zone: this.options.zone, name: this.options.name, ...this.#status, reason: this.#status.reason?.slice(0, 300) ?? null }, () => undefined);
  }

  async #offer(peerId: PeerId, make: () => Promise<string>): Promise<void> {
    try {
      const sdp = await make();
      this.#socket.emit('signal:offer', { peerId, sdp }, () => undefined);
    } catch (error) {
      this.#logger.warn({ err: error, peer: peerId }, 'offering a viewer failed');
    }
  }
}
