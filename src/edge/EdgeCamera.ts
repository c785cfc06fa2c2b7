import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { Timing, type CameraSettings, type CameraStatus, type ClientToServerEvents, type DetectorEvent, type PeerId, type ServerToClientEvents } from '../shared/index.ts';
import { zoneDetector, type LumaFrame, type SceneDetector } from '../shared/vision/sceneDetector.ts';
import { FfmpegPull, jittered, QUICK_PROBE_SECONDS, retryDelayMs } from '../server/cameras/FfmpegPull.ts';
import { maskImage } from '../server/cameras/maskImage.ts';
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
  /** Motion and tamper detection here, on a 160×90 grey copy its ffmpeg decodes: events go upstream. */
  detect: boolean;
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
 *
 * Privacy and detection happen here, before pixels leave the site: the zone's settings are asked
 * of the gateway before the camera is pulled (nothing is pulled until they are known), a zone
 * with masks is decoded, masked and re-encoded by the same ffmpeg (see FfmpegPullOptions.mask),
 * and with `detect` the shared detector reads a grey copy and its events go upstream.
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
  /** The camera's latest keyframe (copied by ffmpeg), and the last one sent upstream as a thumbnail. */
  #keyframe: Buffer | null = null;
  #thumbnailOf: Buffer | null = null;
  readonly #thumbnails: NodeJS.Timeout;
  /** The zone's masks, detection and recording as the gateway last said (null: not asked yet: nothing is pulled). */
  #settings: CameraSettings | null = null;
  /** The masks the running ffmpeg burns in (JSON). */
  #pulledMasks: string | null = null;
  #detector: SceneDetector | null = null;
  /** Each start of the pull: a later one (new masks) wins over one still probing. */
  #starts = 0;

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
      void this.#askSettings().then(() => {
        if (this.#live && this.#socket.connected) void this.#publish();
      });
    });
    this.#socket.on('camera:settings', ({ zone, ...settings }) => {
      if (zone === options.zone) this.#useSettings(settings);
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

  /** The zone's settings, before the first pull and after every reconnect (they may have changed meanwhile). */
  async #askSettings(): Promise<void> {
    const reply = await this.#socket.timeout(10_000).emitWithAck('camera:settings', { zone: this.options.zone })
      .catch((error: unknown) => ({ ok: false as const, error: { code: 'INTERNAL', message: String(error) } }));
    if (!reply.ok) {
      this.#logger.error({ code: reply.error.code }, `the gateway did not give the zone's settings: ${reply.error.message}; not pulling the camera until it does`);
      return;
    }
    const { ok: _ok, ...settings } = reply;
    this.#useSettings(settings);
  }

  /**
   * New masks need a new ffmpeg (another filter, or none): it starts at once into the same local
   * relay, whose viewers go on from its first keyframe. Detection settings replace the detector.
   */
  #useSettings(settings: CameraSettings): void {
    const first = this.#settings === null;
    this.#settings = settings;
    this.#detector = this.options.detect ? zoneDetector(settings.detection) : null;
    if (first) {
      void this.#start();
    } else if (this.#pull && JSON.stringify(settings.masks) !== this.#pulledMasks) {
      this.#logger.info({ masks: settings.masks.length }, 'privacy masks changed: the camera\'s ffmpeg starts again with them');
      this.#pull.stop();
      this.#pull = null;
      // What it showed unmasked is not sent as a thumbnail (nor one being decoded now).
      this.#keyframe = null;
      this.#pulledMasks = null;
      void this.#start();
    }
  }

  /** Probe, then pull into the local relay; published once the first picture is in. */
  async #start(): Promise<void> {
    if (this.#closed || !this.#settings) return;
    const start = ++this.#starts;
    try {
      const probe = await probeCamera(this.options.target, this.options.ffprobe, QUICK_PROBE_SECONDS);
      const { masks } = this.#settings;
      // A masked camera is re-encoded anyway.
      if (!probe.passThrough && !this.options.transcode && masks.length === 0) throw new CameraFault('unsupported_codec', probe.problem!);
      if (start !== this.#starts || this.#closed) return;
      const ports = await this.#relay.ingest(INGEST_PEER);
      if (start !== this.#starts || this.#closed || this.#pull) return;
      this.#pulledMasks = JSON.stringify(masks);
      this.#pull = new FfmpegPull({
        ffmpeg: this.options.ffmpeg, target: this.options.target, transcode: this.options.transcode, ports,
        ...(masks.length > 0 ? { mask: { width: probe.width, height: probe.height, image: maskImage(masks, probe.width, probe.height) } } : {}),
        ...(this.options.detect ? { onLuma: (frame: LumaFrame) => this.#detect(frame) } : {}),
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

  #detect(frame: LumaFrame): void {
    const events = this.#detector?.push(frame) ?? [];
    for (const event of events) void this.#sendScene(event);
  }

  /** A detector event upstream (the gateway stores, pushes and publishes it); a start carries the latest picture. */
  async #sendScene(event: DetectorEvent): Promise<void> {
    if (!this.#live || !this.#socket.connected) return;
    const starts = !event.type.endsWith('.ended') && !event.type.endsWith('.cleared');
    const masks = this.#pulledMasks;
    const decoded = starts && this.#keyframe ? await keyframeThumbnail(this.options.ffmpeg, this.#keyframe) : null;
    const jpeg = masks === this.#pulledMasks ? decoded : null;
    this.#socket.emit('camera:scene', { zone: this.options.zone, type: event.type, score: event.score, ...(jpeg ? { snapshot: jpeg.toString('base64') } : {}) }, () => undefined);
  }

  async #sendThumbnail(): Promise<void> {
    const unit = this.#keyframe;
    if (!unit || unit === this.#thumbnailOf || !this.#live || !this.#socket.connected) return;
    this.#thumbnailOf = unit;
    const masks = this.#pulledMasks;
    const jpeg = await keyframeThumbnail(this.options.ffmpeg, unit);
    // Masks that changed while it was decoded: it may show what is masked now.
    if (jpeg && masks === this.#pulledMasks && this.#live && this.#socket.connected) this.#socket.emit('camera:thumbnail', { zone: this.options.zone, jpeg: jpeg.toString('base64') }, () => undefined);
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

