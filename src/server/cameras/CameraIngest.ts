import { randomBytes } from 'node:crypto';
import { DEFAULT_DETECTION, type CameraProbe, type CameraSettings, type CameraStatus, type DetectorEvent, type MaskPolygon, type PeerId, type ServerToClientEvents, type ZoneId } from '../../shared/index.ts';
import { zoneDetector, type LumaFrame, type SceneDetector } from '../../shared/vision/sceneDetector.ts';
import type { ActivityAudit } from '../audit/ActivityAudit.ts';
import type { SourcePrincipal } from '../auth/Principal.ts';
import type { MediaRelay } from '../media/MediaRelay.ts';
import type { Logger } from '../observability/logger.ts';
import type { Participant } from '../zones/Participant.ts';
import type { ZonePresence } from '../zones/ZonePresence.ts';
import { maskImage } from './maskImage.ts';
import { FfmpegPull, jittered, QUICK_PROBE_SECONDS, retryDelayMs } from './FfmpegPull.ts';
import { CameraFault, probeCamera, type CameraTarget } from './probeCamera.ts';

export interface IngestContext {
  presence: ZonePresence;
  /** Null when media is peer to peer only: an IP camera then cannot be served. */
  relay: MediaRelay | null;
  activity: ActivityAudit;
  logger: Logger;
  ffmpeg: string;
  ffprobe: string;
  /** The camera's status changed (metrics, the admin page). */
  onStatus(ingest: CameraIngest): void;
  /** The zone's latest keyframe, copied by its ffmpeg, for the directory's thumbnail; absent: not kept. */
  onKeyframe?(zone: ZoneId, accessUnit: Buffer): void;
  /** What the detector of a camera with `detect` said (motion, tampering started or ended). */
  onScene?(zone: ZoneId, camera: string, event: DetectorEvent): void;
  /** A fresh ring buffer directory for a detecting camera's evidence (see Evidence), and its end. */
  ringFor?(zone: ZoneId): string;
  /**
   * The zone's privacy masks and detection settings, read at each ffmpeg start (the catalogue's
   * `camera:settings` tells a running camera of a change). Absent: no masks, default detection.
   */
  settingsOf?(zone: ZoneId): CameraSettings;
  releaseRing?(zone: ZoneId): void;
}

export interface IngestSource {
  id: number;
  zone: ZoneId;
  name: string;
  target: CameraTarget;
  transcode: boolean;
  /** Motion and tamper detection on a low-rate grey copy of its stream. */
  detect: boolean;
}

/** A run that lasted this long counts as a success: the next failure waits the first pause again. */
const STABLE_MS = 30_000;
const ZONE_BUSY_RETRY_MS = 2_000;

/** The ffmpeg copying the camera into the relay, and the relay pairing it feeds. */
interface FfmpegRun {
  readonly pull: FfmpegPull;
  readonly peerId: PeerId;
  /** The masks it burns in (JSON; `[]`: none, a copy). */
  readonly masks: string;
  /** Its detector, replaced when the zone's detection settings change. */
  detector: SceneDetector | null;
  /** It writes the zone's evidence ring buffer (detection on, or the zone recorded). */
  readonly ring: boolean;
}

type Message<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/**
 * One IP camera, pulled into its zone for as long as it exists: probe, publish into the zone like
 * a camera (audited, `ZONE_BUSY` if another holds it), and when the relay pairs with it, an ffmpeg
 * that copies the camera's H.264 into the relay over loopback RTP, no decode (or re-encodes it,
 * with `transcode`). A camera that fails, stalls or is refused is retried with a growing pause,
 * its status saying why meanwhile; a fixed camera comes back on its own.
 */
export class CameraIngest implements Participant {
  readonly id: string;
  readonly address: string;
  readonly userAgent = 'vigil-ingest (ffmpeg)';
  readonly principal: SourcePrincipal;
  readonly rtpIngest = true;
  status: CameraStatus = 'connecting';
  reason: string | null = null;
  since = Date.now();
  probe: CameraProbe | null = null;
  #closed = false;
  #running: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  /** Ends the current publish with why (a fault, or null when we close). */
  #endPublish: ((fault: CameraFault | null) => void) | null = null;
  #ffmpeg: FfmpegRun | null = null;
  readonly #logger: Logger;

  constructor(readonly source: IngestSource, private readonly ctx: IngestContext) {
    this.id = `ipcam:${source.id}:${randomBytes(6).toString('base64url')}`;
    this.address = new URL(source.target.url).hostname;
    this.principal = { kind: 'source', sourceId: source.id, label: source.name, zone: source.zone };
    this.#logger = ctx.logger.child({ camera: source.id, zone: source.zone });
  }

  get zone(): ZoneId {
    return this.source.zone;
  }

  /** Its ffmpeg's process id (null when none runs). */
  get ffmpegPid(): number | null {
    return this.#ffmpeg?.pull.pid ?? null;
  }

  /** Its ffmpeg burns privacy masks in (decoding and re-encoding the camera). */
  get masked(): boolean {
    return this.#ffmpeg !== null && this.#ffmpeg.masks !== '[]';
  }

  /** Its ffmpeg's CPU, in % of one core, averaged since it started (null when none runs). */
  get ffmpegCpuPercent(): number | null {
    return this.#ffmpeg?.pull.cpuPercent ?? null;
  }

  /** `afterMs`: cameras started together begin apart (see IpCameras). */
  start(afterMs = 0): void {
    this.#running ??= (afterMs > 0 ? this.#sleep(afterMs) : Promise.resolve()).then(() => this.#run());
  }

  /** Stops pulling: the zone is unpublished (publish.ended in the trail) and ffmpeg ends. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    this.#endPublish?.(null);
    await this.#running;
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#closed) {
      const startedAt = Date.now();
      const fault = await this.#attempt();
      if (this.#closed) break;
      if (fault) {
        this.#setStatus(fault.status, fault.message);
        this.#logger.warn({ status: fault.status }, `IP camera not live: ${fault.message}`);
      }
      if (Date.now() - startedAt > STABLE_MS) attempt = 0;
      // Another node (or camera) holds the zone: a standby asks often, to take over soon after it goes.
      // Jittered too: two standby nodes never ask in lockstep.
      const delay = fault?.status === 'zone_busy' ? jittered(ZONE_BUSY_RETRY_MS) : retryDelayMs(attempt);
      await this.#sleep(delay);
      attempt += 1;
    }
  }

  /** One probe and publish, until it ends: the fault that ended it (null once closed). */
  async #attempt(): Promise<CameraFault | null> {
    try {
      if (!this.ctx.relay) throw new CameraFault('relay_disabled', 'IP cameras reach operators through the media relay, and media.policy is p2p: set it to auto or relay.');
      const probe = await probeCamera(this.source.target, this.ctx.ffprobe, QUICK_PROBE_SECONDS);
      this.probe = { ...probe, gopSeconds: probe.gopSeconds ?? this.probe?.gopSeconds ?? null };
      // A masked camera is re-encoded anyway.
      if (!probe.passThrough && !this.source.transcode && this.#masks().length === 0) throw new CameraFault('unsupported_codec', probe.problem!);
      if (this.#closed) return null;
      return await this.#publishUntilEnd();
    } catch (error) {
      if (error instanceof CameraFault) return error;
      this.#logger.error({ err: error }, 'IP camera attempt failed');
      return new CameraFault('unreachable', 'The gateway failed to pull the camera; see its log.');
    }
  }

  async #publishUntilEnd(): Promise<CameraFault | null> {
    const { presence, activity } = this.ctx;
    // Our own: nobody else can present it and take the zone over.
    const resumeToken = randomBytes(32).toString('base64url');
    const busy = new CameraFault('zone_busy', `Another camera publishes ${this.zone}: give this one its own zone, or stop the other.`);
    const check = await presence.publishCheck(this, this.zone, resumeToken);
    if (check !== null && check !== 'already') throw check.code === 'ZONE_BUSY' ? busy : new CameraFault('unreachable', check.message);
    const ended = new Promise<CameraFault | null>((resolve) => (this.#endPublish = resolve));
    await activity.started('publish', this.zone, this);
    const published = await presence.publish(this, this.zone, resumeToken);
    if (!published.ok) {
      this.#endPublish = null;
      await activity.notStarted('publish', this.zone, this, published.error);
      throw published.error.code === 'ZONE_BUSY' ? busy : new CameraFault('unreachable', published.error.message);
    }
    const fault = await ended;
    this.#endPublish = null;
    this.#stopFfmpeg();
    const left = await presence.unpublish(this, this.zone);
    if (!left.ok) await presence.leave(this);
    return fault;
  }

  // ------------------------------------------------------------ Participant: what the registry says

  send<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    if (event === 'viewer:joined') {
      // The relay is our only viewer: it takes the video over loopback RTP.
      void this.#pull((args[0] as Message<'viewer:joined'>).peerId).catch((error: unknown) => this.#pullFailed(error));
    } else if (event === 'viewer:left') {
      // The relay's pairing ended (its worker restarts and pairs again, or the zone closes).
      if ((args[0] as Message<'viewer:left'>).peerId === this.#ffmpeg?.peerId) this.#stopFfmpeg();
    } else if (event === 'camera:settings') {
      this.#settingsChanged(args[0] as Message<'camera:settings'>);
    }
  }

  evict(reason: string): void {
    this.#endPublish?.(new CameraFault('zone_busy', reason));
  }

  /**
   * An admin changed the zone's masks or detection. New masks need a new ffmpeg (another filter,
   * or none): it starts at once on the same relay pairing, and viewers go on from its first
   * keyframe (about 1–2 s without a new picture). Detection settings only replace the detector.
   */
  #settingsChanged({ masks, detection, record }: CameraSettings): void {
    const run = this.#ffmpeg;
    if (!run) return;
    if (JSON.stringify(masks) !== run.masks || this.#ringed(record) !== run.ring) {
      this.#logger.info({ masks: masks.length, record }, 'privacy masks or recording changed: the camera\'s ffmpeg starts again with them');
      void this.#pull(run.peerId).catch((error: unknown) => this.#pullFailed(error));
    } else if (run.detector) {
      run.detector = zoneDetector(detection);
    }
  }

  #pullFailed(error: unknown): void {
    this.#logger.error({ err: error }, 'starting the ingest failed');
    this.#endPublish?.(error instanceof CameraFault ? error : new CameraFault('unreachable', 'The media relay did not take the camera\'s video.'));
  }

  /** Whether its ffmpeg keeps the evidence ring: with detection (events cut clips) or when the zone is recorded. */
  #ringed(record: boolean): boolean {
    return (this.source.detect || record) && this.ctx.ringFor !== undefined;
  }

  #masks(): MaskPolygon[] {
    return this.ctx.settingsOf?.(this.zone).masks ?? [];
  }

  // ------------------------------------------------------------ ffmpeg

  async #pull(peerId: PeerId): Promise<void> {
    this.#stopFfmpeg();
    const ports = await this.ctx.relay!.ingest(this.zone, peerId);
    if (this.#closed || !this.#endPublish) return;
    this.#stopFfmpeg();
    const { masks, detection, record } = this.ctx.settingsOf?.(this.zone) ?? { masks: [], detection: DEFAULT_DETECTION, record: false };
    const ring = this.#ringed(record);
    const size = this.probe;
    // Masks are burned in at the size the probe read (an ffmpeg that cannot is a fault, never an unmasked picture).
    const mask = masks.length > 0 && size ? { width: size.width, height: size.height, image: maskImage(masks, size.width, size.height) } : undefined;
    if (masks.length > 0 && !mask) throw new CameraFault('unreachable', 'The camera\'s picture size is not known yet: its masks cannot be applied.');
    const detecting = this.source.detect && this.ctx.onScene !== undefined;
    const run: FfmpegRun = {
      peerId, masks: JSON.stringify(mask ? masks : []), detector: detecting ? zoneDetector(detection) : null, ring,
      pull: new FfmpegPull({
        ffmpeg: this.ctx.ffmpeg, target: this.source.target, transcode: this.source.transcode, ports,
        ...(mask ? { mask } : {}),
        onLive: () => {
          if (this.#ffmpeg === run) this.#setStatus('live', null);
        },
        ...(this.ctx.onKeyframe ? { onKeyframe: (unit: Buffer) => { if (this.#ffmpeg === run) this.ctx.onKeyframe!(this.zone, unit); } } : {}),
        ...(detecting ? { onLuma: (frame: LumaFrame) => {
          if (this.#ffmpeg !== run || !run.detector) return;
          for (const event of run.detector.push(frame)) this.ctx.onScene!(this.zone, this.source.name, event);
        } } : {}),
        ...(ring ? { ringDir: this.ctx.ringFor!(this.zone) } : {}),
        onEnd: (fault, detail) => {
          if (this.#ffmpeg !== run) return;
          this.#ffmpeg = null;
          this.#logger.warn({ ...detail, status: fault.status }, 'ffmpeg ended');
          this.#endPublish?.(fault);
        },
      }),
    };
    this.#ffmpeg = run;
  }

  #stopFfmpeg(): void {
    // Each ffmpeg gets a fresh ring: a masked camera's pre-roll never holds what it sent unmasked.
    if (this.#ffmpeg?.ring) this.ctx.releaseRing?.(this.zone);
    this.#ffmpeg?.pull.stop();
    this.#ffmpeg = null;
  }

  #setStatus(status: CameraStatus, reason: string | null): void {
    if (this.status === status && this.reason === reason) return;
    this.status = status;
    this.reason = reason;
    this.since = Date.now();
    this.ctx.onStatus(this);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

