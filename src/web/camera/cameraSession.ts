import { isTemporaryRefusal, Limits, Role, Timing, type ZoneId } from '../../shared/index.ts';
import { CameraPublisher } from '../lib/cameraPublisher.ts';
import { SignallingSession, type Refusal, type SignallingHooks } from '../lib/SignallingSession.ts';
import { CONNECTION_LOST, CONNECTION_LOST_MESSAGE, describeError } from '../shared-ui/errorMessages.ts';
import { statusOf, type ConnectionStatus } from '../shared-ui/statusPill.ts';
import { CameraErrorCode, cameraError, mediaErrorFor, mediaSupportError, type CameraError } from './mediaErrors.ts';
import { forgetActiveSession, rememberActiveSession, resumeTokenFor } from './resumeStore.ts';
import { openVideoSource, TEST_PATTERN, TEST_SCENE, type PresetId, type VideoSource } from './videoSource.ts';
import { SceneWatch } from './sceneWatch.ts';
import { DETECTOR_HEIGHT, DETECTOR_WIDTH } from '../../shared/vision/sceneDetector.ts';
import { MaskedTrack } from './privacyMask.ts';
import { DEFAULT_DETECTION, sceneKindOf, type CameraSettings as ZoneSettings, type DetectionSettings, type DetectorEvent, type MaskPolygon, type SceneKind } from '../../shared/index.ts';
import { motionMask } from '../../shared/vision/maskFill.ts';

export type CameraPhase = 'idle' | 'starting' | 'publishing';

export interface CameraSettings {
  readonly deviceId: string;
  readonly preset: PresetId;
}

/** What the session needs from the page; the page renders, the session decides. */
export interface CameraView {
  showPreview(stream: MediaStream | null): void;
  /** Camera permission was granted: device labels can now be listed. */
  camerasAvailable(): void;
  showAlert(code: string, message: string, variant?: 'danger' | 'warning'): void;
  hideAlert(code: string): void;
  /** Phase, signalling, or peer count changed. */
  changed(): void;
  /** A small JPEG (base64) of the preview for the directory, or null when there is no picture yet. */
  thumbnail(): Promise<string | null>;
}

/** What the detector of this camera node is doing, for the page. */
export interface DetectionStatus {
  /** `off` while not publishing; `unavailable` for a source it cannot look at or a browser that cannot read frames. */
  state: 'off' | 'on' | 'unavailable';
  reason: string | null;
  /** Median milliseconds per frame looked at. */
  costMs: number | null;
  /** What is going on now: motion, tamper kinds. */
  open: ReadonlySet<SceneKind>;
  last: { type: DetectorEvent['type']; at: Date; sent: boolean } | null;
}

const PUBLISH_RETRY_MS = 2_000;

/**
 * One camera-node session: capture → preview → connect → `camera:publish`, then serve every
 * viewer the gateway announces. On each (re)connect it publishes again with the tab's resume
 * token. `stop()` (Stop publishing) undoes everything; every async step checks it still belongs to
 * the current attempt, so a stop during getUserMedia or a pending publish leaves nothing running.
 */
export class CameraSession {
  readonly #view: CameraView;
  #phase: CameraPhase = 'idle';
  #attempt = 0;
  #zone: ZoneId | null = null;
  #settings: CameraSettings | null = null;
  #source: VideoSource | null = null;
  #signalling: SignallingSession | null = null;
  #publisher: CameraPublisher | null = null;
  /** The gateway accepted our publish on the current connection. */
  #published = false;
  /** What the gateway last said of the zone's operators (zone:audience). */
  #audience: { viewers: number; relayed: boolean } | null = null;
  /** The camera's name as the gateway knows it: its key's label (session:ready). */
  #cameraName: string | null = null;
  #thumbnails: ReturnType<typeof setInterval> | null = null;
  #watch: SceneWatch | null = null;
  /** The zone's privacy masks, and the track with them burned in (null: none, the camera's own track goes out). */
  #masks: MaskPolygon[] = [];
  /** The zone's detection settings (threshold, minimum area, motion and ignore zones). */
  #detectionSettings: DetectionSettings = DEFAULT_DETECTION;
  #masked: MaskedTrack | null = null;
  #maskCostMs: number | null = null;
  /** The zone's evidence is recorded (CameraSettings.record). */
  #recorded = false;
  /** What goes out: the preview, every viewer, the thumbnail and the detector all get this stream. */
  #outgoing: MediaStream | null = null;
  #detection: DetectionStatus = { state: 'off', reason: null, costMs: null, open: new Set(), last: null };

  constructor(view: CameraView) {
    this.#view = view;
  }

  get phase(): CameraPhase {
    return this.#phase;
  }

  get zone(): ZoneId | null {
    return this.#zone;
  }

  /** The name operators see this camera under (its key's label), once the gateway has said it. */
  get cameraName(): string | null {
    return this.#cameraName;
  }

  /** Camera and preset in use (or last used). */
  get settings(): CameraSettings | null {
    return this.#settings;
  }

  get stream(): MediaStream | null {
    return this.#outgoing;
  }

  /** The privacy masks applied, and their cost per frame (median ms). */
  get privacy(): { masks: number; costMs: number | null } {
    return { masks: this.#masks.length, costMs: this.#maskCostMs };
  }

  /** The gateway records the zone's evidence: our video goes through its relay even with no viewer. */
  get recorded(): boolean {
    return this.#recorded;
  }

  /** The test scene's controls, when that is the source (installer checks of detection). */
  get scene(): VideoSource['scene'] | null {
    return this.#source?.scene ?? null;
  }

  get detection(): DetectionStatus {
    return this.#detection;
  }

  /**
   * Operators served: those whose peer connection is up, or, when the zone goes through the
   * media relay, every operator the gateway counts while the connection to the relay is up.
   */
  get operatorsConnected(): number {
    const connected = this.#publisher?.connectedCount ?? 0;
    return this.#audience?.relayed ? (connected > 0 ? this.#audience.viewers : 0) : connected;
  }

  /** Whether the camera's one connection goes to the gateway's media relay. */
  get relayed(): boolean {
    return this.#audience?.relayed ?? false;
  }

  /** Stats of one connected operator's connection, or null. */
  sampleConnectedPeer(): Promise<RTCStatsReport | null> {
    return this.#publisher?.sampleConnectedPeer() ?? Promise.resolve(null);
  }

  /** Signalling is up but the publish is not (yet) accepted on this connection, or it is down. */
  get reconnecting(): boolean {
    return this.#phase === 'publishing' && !this.#published;
  }

  get status(): ConnectionStatus {
    const state = this.#signalling?.state ?? 'off';
    const signalling = this.#published && state === 'up' ? 'up' : this.#phase === 'publishing' && state === 'lost' ? 'lost' : 'off';
    return statusOf(signalling, this.operatorsConnected > 0);
  }

  async start(zone: ZoneId, settings: CameraSettings, apiKey: string): Promise<void> {
    if (this.#phase !== 'idle') return;
    const attempt = ++this.#attempt;
    this.#zone = zone;
    this.#settings = settings;
    this.#setPhase('starting');

    const unsupported = settings.deviceId === TEST_PATTERN || settings.deviceId === TEST_SCENE ? null : mediaSupportError(window.isSecureContext, navigator.mediaDevices);
    if (unsupported) {
      this.#fail(unsupported);
      return;
    }
    let source: VideoSource;
    try {
      source = await openVideoSource(settings.deviceId, settings.preset);
    } catch (error) {
      if (attempt === this.#attempt) this.#fail(mediaErrorFor(error));
      return;
    }
    if (attempt !== this.#attempt) {
      source.stop();
      return;
    }
    this.#useSource(source);
    this.#view.camerasAvailable();

    const signalling = new SignallingSession({ role: Role.CAMERA, apiKey, hooks: this.#hooks(zone, attempt) });
    const publisher = new CameraPublisher({
      stream: this.#outgoing!,
      rtcConfig: () => signalling.rtcConfig,
      onChange: () => this.#view.changed(),
      signalling: signalling.peerSignalling,
    });
    signalling.on('viewer:joined', ({ zone: joined, peerId }) => {
      if (joined === zone) publisher.addViewer(peerId);
    });
    signalling.on('viewer:left', ({ peerId }) => publisher.removeViewer(peerId));
    signalling.on('zone:audience', ({ zone: counted, viewers, relayed }) => {
      if (counted !== zone) return;
      this.#audience = { viewers, relayed };
      this.#view.changed();
    });
    // An admin changed the zone's masks while we publish: from the next frame.
    signalling.on('camera:settings', ({ zone: changed, ...settings }) => {
      if (changed === zone) void this.#applySettings(settings);
    });
    signalling.on('signal:answer', ({ peerId, sdp }) => publisher.acceptAnswer(peerId, sdp));
    signalling.on('signal:candidate', ({ peerId, candidate }) => publisher.addRemoteCandidate(peerId, candidate));
    signalling.on('signal:restart', ({ peerId }) => publisher.restartIce(peerId));
    this.#signalling = signalling;
    this.#publisher = publisher;
    this.#audience = null;
  }

  /** Stop publishing: unpublish, close every peer, stop the camera, disconnect. Idempotent. */
  stop(reason = 'ended by the operator of the camera'): void {
    if (this.#phase === 'idle') return;
    this.#attempt += 1;
    const signalling = this.#signalling;
    const zone = this.#zone;
    // Tell viewers at once ("camera offline") rather than when the gateway notices the disconnect.
    const unpublish = this.#published && signalling?.connected && zone ? () => signalling.request('camera:unpublish', { zone }, 1_000) : undefined;
    signalling?.close(unpublish);
    this.#signalling = null;
    this.#published = false;
    this.#publisher?.close(reason);
    this.#publisher = null;
    this.#masked?.close();
    this.#masked = null;
    this.#masks = [];
    this.#detectionSettings = DEFAULT_DETECTION;
    this.#maskCostMs = null;
    this.#outgoing = null;
    this.#source?.stop();
    this.#source = null;
    this.#view.showPreview(null);
    forgetActiveSession();
    if (this.#thumbnails !== null) clearInterval(this.#thumbnails);
    this.#thumbnails = null;
    this.#stopWatch();
    this.#detection = { state: 'off', reason: null, costMs: null, open: new Set(), last: null };
    this.#cameraName = null;
    this.#setPhase('idle');
  }

  /** A new camera or preset: switch every viewer over without renegotiating. */
  async changeSettings(settings: CameraSettings): Promise<void> {
    this.#settings = settings;
    if (this.#phase === 'idle' || !this.#source) return;
    const attempt = this.#attempt;
    let source: VideoSource;
    try {
      source = await openVideoSource(settings.deviceId, settings.preset);
    } catch (error) {
      const failure = mediaErrorFor(error);
      this.#view.showAlert(failure.code, `${failure.message} The previous camera keeps streaming.`);
      return;
    }
    if (attempt !== this.#attempt) {
      source.stop();
      return;
    }
    const previous = this.#source;
    const previousMasked = this.#masked;
    this.#masked = null;
    this.#useSource(source);
    await this.#publisher?.replaceStream(this.#outgoing!);
    previousMasked?.close();
    previous?.stop();
    if (this.#published && this.#zone) this.#startWatch(this.#zone, attempt);
    if (this.#phase === 'publishing' && this.#zone) rememberActiveSession({ zone: this.#zone, ...settings });
  }

  #useSource(source: VideoSource): void {
    this.#source = source;
    this.#outgoing = this.#outgoingOf(source);
    this.#view.showPreview(this.#outgoing);
    for (const track of source.stream.getVideoTracks()) {
      track.addEventListener('ended', () => {
        if (this.#source === source) this.#fail(cameraError(CameraErrorCode.CAMERA_ENDED));
      });
    }
  }

  #hooks(zone: ZoneId, attempt: number): SignallingHooks {
    const failWith = ({ code, message }: Refusal): void => this.#fail({ code, message: describeError(code, { zone }, message) });
    return {
      restore: (session) => {
        this.#cameraName = session.identity.name;
        this.#view.hideAlert(CONNECTION_LOST);
        void this.#publish(zone, attempt);
      },
      iceServersRenewed: () => this.#publisher?.prepareSpare(),
      // Viewers already connected keep receiving video while signalling reconnects.
      down: () => {
        this.#published = false;
        this.#view.changed();
      },
      lost: () => this.#view.showAlert(CONNECTION_LOST, CONNECTION_LOST_MESSAGE, 'warning'),
      closed: () =>
        this.#fail({ code: 'SESSION_CLOSED', message: `The gateway closed this camera session for ${zone} (another tab or device took the zone over with this session's token).` }),
      // The key was revoked or is not one the gateway knows: stop at once and do not reconnect with it.
      ended: failWith,
      refused: (refusal, retrying) => {
        if (retrying) this.#view.showAlert(refusal.code, describeError(refusal.code, { zone }, refusal.message));
        else failWith(refusal);
      },
    };
  }

  async #publish(zone: ZoneId, attempt: number): Promise<void> {
    const signalling = this.#signalling;
    const publisher = this.#publisher;
    if (!signalling || !publisher) return;
    // Connections opened on an earlier signalling connection (the gateway restarted, or ours
    // dropped): we ask to keep them, and the gateway pairs each with its viewer again under the
    // same peer id, with no new offer. Those it does not keep have no viewer any more: closed.
    // Taken before the request: viewer:joined for new peers arrives before the acknowledgement.
    const earlier = publisher.peerIds;
    const resumePeers = earlier.slice(0, Limits.maxResumePeers);
    // The zone's privacy masks first: not one frame leaves unmasked.
    const settings = await signalling.request('camera:settings', { zone });
    if (attempt !== this.#attempt || signalling !== this.#signalling) return;
    if (!settings.ok) {
      if (settings.error.code === 'NOT_CONNECTED') return;
      this.#fail({ code: settings.error.code, message: describeError(settings.error.code, { zone }, settings.error.message) });
      return;
    }
    if (!(await this.#applySettings(settings)) || attempt !== this.#attempt) return;
    const reply = await signalling.request('camera:publish', { zone, resumeToken: resumeTokenFor(zone), resumePeers });
    if (attempt !== this.#attempt || signalling !== this.#signalling) return;
    if (reply.ok) {
      const kept = new Set(reply.resumedPeers);
      for (const peerId of earlier) if (!kept.has(peerId)) publisher.removeViewer(peerId);
      this.#published = true;
      publisher.prepareSpare();
      this.#sendThumbnails(zone, attempt);
      if (!this.#watch) this.#startWatch(zone, attempt);
      rememberActiveSession({ zone, ...this.#settings! });
      this.#setPhase('publishing');
      return;
    }
    const { code, message } = reply.error;
    if (code === 'NOT_CONNECTED') return; // the next session:ready publishes again
    if (isTemporaryRefusal(code)) {
      this.#view.showAlert(code, describeError(code, { zone }, message), 'warning');
      setTimeout(() => {
        if (attempt === this.#attempt && signalling.connected && !this.#published) void this.#publish(zone, attempt);
      }, PUBLISH_RETRY_MS);
      return;
    }
    this.#fail({ code, message: describeError(code, { zone }, message) });
  }

  /** The directory's thumbnail: one now (the first frame may take a moment) and every few seconds while published. */
  #sendThumbnails(zone: ZoneId, attempt: number): void {
    const send = async (): Promise<void> => {
      const signalling = this.#signalling;
      if (attempt !== this.#attempt || !this.#published || !signalling) return;
      const jpeg = await this.#view.thumbnail().catch(() => null);
      if (jpeg && attempt === this.#attempt && this.#published) void signalling.request('camera:thumbnail', { zone, jpeg }).catch(() => undefined);
    };
    if (this.#thumbnails !== null) clearInterval(this.#thumbnails);
    setTimeout(() => void send(), 1_000);
    this.#thumbnails = setInterval(() => void send(), Timing.thumbnailIntervalMs);
  }

  /** The source's stream with the current masks burned in (a new MaskedTrack), or the source's own without masks. */
  #outgoingOf(source: VideoSource): MediaStream {
    const track = source.stream.getVideoTracks()[0];
    if (this.#masks.length === 0 || !track || !MaskedTrack.supported) return source.stream;
    this.#masked = new MaskedTrack(track, this.#masks, (medianMs) => { this.#maskCostMs = medianMs; this.#view.changed(); });
    return new MediaStream([this.#masked.track]);
  }

  /** The zone's settings: its masks (see #applyMasks), then its detection (a new watch when it changed). */
  async #applySettings({ masks, detection, record }: ZoneSettings): Promise<boolean> {
    if (!(await this.#applyMasks(masks))) return false;
    if (record !== this.#recorded) {
      this.#recorded = record;
      this.#view.changed();
    }
    if (JSON.stringify(detection) !== JSON.stringify(this.#detectionSettings)) {
      this.#detectionSettings = detection;
      if (this.#watch && this.#zone) this.#startWatch(this.#zone, this.#attempt);
    }
    return true;
  }

  /**
   * Applies the zone's masks: the masked track takes them from its next frame, or the outgoing
   * stream is rebuilt (masks appeared or went) and every viewer switched to it. A browser that
   * cannot rewrite frames refuses to publish a masked zone: false.
   */
  async #applyMasks(masks: MaskPolygon[]): Promise<boolean> {
    if (JSON.stringify(masks) === JSON.stringify(this.#masks) && (masks.length === 0 || this.#masked)) return true;
    if (masks.length > 0 && !MaskedTrack.supported) {
      this.#fail({ code: 'MASKS_UNSUPPORTED', message: `${this.#zone ?? 'This zone'} has privacy masks, and this browser cannot black them out before sending (it needs Chromium or Edge): nothing was sent.` });
      return false;
    }
    const hadMasks = this.#masks.length > 0 && this.#masked !== null;
    this.#masks = masks;
    if (hadMasks && masks.length > 0) {
      this.#masked!.setMasks(masks);
      this.#view.changed();
      return true;
    }
    const source = this.#source;
    if (!source) return true;
    const previous = this.#masked;
    this.#masked = null;
    this.#maskCostMs = null;
    this.#outgoing = this.#outgoingOf(source);
    this.#view.showPreview(this.#outgoing);
    await this.#publisher?.replaceStream(this.#outgoing);
    previous?.close();
    if (this.#watch && this.#zone) this.#startWatch(this.#zone, this.#attempt);
    this.#view.changed();
    return true;
  }

  /**
   * Motion and tamper detection of what is published, from the first publish on; a new source
   * gets a new watch. Events go to the gateway as they happen (a start with a snapshot); one the
   * gateway refuses or that finds signalling down is shown, not retried: the detector says the
   * next change, and the gateway ends what a camera left open when it goes.
   */
  #startWatch(zone: ZoneId, attempt: number): void {
    this.#stopWatch();
    const source = this.#source;
    const track = this.#outgoing?.getVideoTracks()[0];
    const unavailable = (reason: string) => { this.#detection = { ...this.#detection, state: 'unavailable', reason }; this.#view.changed(); };
    if (!source || !track) return;
    if (!source.detectable) return unavailable('the test pattern changes every frame by design; choose the test scene or a camera');
    if (!SceneWatch.supported) return unavailable('this browser cannot read video frames (it needs MediaStreamTrackProcessor: Chromium, Edge)');
    this.#detection = { state: 'on', reason: null, costMs: null, open: new Set(), last: null };
    const { threshold, minArea, motionZones, ignoreZones } = this.#detectionSettings;
    this.#watch = new SceneWatch(track, {
      cost: (medianMs) => { this.#detection = { ...this.#detection, costMs: medianMs }; this.#view.changed(); },
      event: (event) => void this.#report(zone, attempt, event),
    }, { settings: { threshold, minArea }, mask: motionMask(motionZones, ignoreZones, DETECTOR_WIDTH, DETECTOR_HEIGHT) });
    this.#view.changed();
  }

  async #report(zone: ZoneId, attempt: number, event: DetectorEvent): Promise<void> {
    const { kind, ends } = sceneKindOf(event.type);
    const open = new Set(this.#detection.open);
    if (ends) open.delete(kind); else open.add(kind);
    const last = { type: event.type, at: new Date(), sent: false };
    this.#detection = { ...this.#detection, open, last };
    this.#view.changed();
    const signalling = this.#signalling;
    if (!signalling || !this.#published) return;
    const snapshot = ends ? null : await this.#view.thumbnail().catch(() => null);
    if (attempt !== this.#attempt) return;
    const reply = await signalling.request('camera:scene', { zone, type: event.type, score: event.score, ...(snapshot ? { snapshot } : {}) }).catch(() => null);
    if (attempt !== this.#attempt || this.#detection.last !== last) return;
    this.#detection = { ...this.#detection, last: { ...last, sent: reply?.ok === true } };
    this.#view.changed();
  }

  #stopWatch(): void {
    this.#watch?.close();
    this.#watch = null;
  }

  #fail(error: CameraError | { code: string; message: string }): void {
    this.stop(`failed: ${error.code}`);
    this.#view.showAlert(error.code, error.message);
  }

  #setPhase(phase: CameraPhase): void {
    this.#phase = phase;
    this.#view.changed();
  }
}
