import { Limits, Role, type ClientToServerEvents, type ZoneId } from '../../shared/index.ts';
import { CameraPublisher } from '../lib/cameraPublisher.ts';
import { RtcConfigHolder } from '../lib/rtcConfig.ts';
import { createSignallingSocket, handshakeErrorCode, request, type SignallingSocket } from '../lib/signallingClient.ts';
import { CONNECTION_LOST, CONNECTION_LOST_MESSAGE, describeError } from '../shared-ui/errorMessages.ts';
import { statusOf, type ConnectionStatus } from '../shared-ui/statusPill.ts';
import { CameraErrorCode, cameraError, mediaErrorFor, mediaSupportError, type CameraError } from './mediaErrors.ts';
import { forgetActiveSession, rememberActiveSession, resumeTokenFor } from './resumeStore.ts';
import { openVideoSource, TEST_PATTERN, type PresetId, type VideoSource } from './videoSource.ts';

export type CameraPhase = 'idle' | 'starting' | 'publishing';

export interface CameraSettings {
  readonly deviceId: string;
  readonly preset: PresetId;
}

/** Codes after which the camera's key is no good: the page forgets it and asks again. */
export const KEY_REFUSALS = new Set(['KEY_INVALID', 'KEY_REVOKED', 'AUTH_REQUIRED']);

/** What the session needs from the page; the page renders, the session decides. */
export interface CameraView {
  showPreview(stream: MediaStream | null): void;
  /** Camera permission was granted: device labels can now be listed. */
  camerasAvailable(): void;
  showAlert(code: string, message: string, variant?: 'danger' | 'warning'): void;
  hideAlert(code: string): void;
  /** Phase, signalling, or peer count changed. */
  changed(): void;
}

/** A refusal after which retrying the same publish cannot help. */
const RETRYABLE_PUBLISH_REFUSALS = new Set<string>(['TIMEOUT', 'RATE_LIMITED', 'INTERNAL']);
const PUBLISH_RETRY_MS = 2_000;

/**
 * One camera-node session: capture → preview → connect → `camera:publish`, then serve every
 * viewer the gateway announces. On each (re)connect it publishes again with the tab's resume
 * token. `stop()` (End Session) undoes everything; every async step checks it still belongs to
 * the current attempt, so a stop during getUserMedia or a pending publish leaves nothing running.
 */
export class CameraSession {
  readonly #view: CameraView;
  #phase: CameraPhase = 'idle';
  #attempt = 0;
  #zone: ZoneId | null = null;
  #settings: CameraSettings | null = null;
  #source: VideoSource | null = null;
  #socket: SignallingSocket | null = null;
  #publisher: CameraPublisher | null = null;
  readonly #rtc = new RtcConfigHolder();
  #apiKey = '';
  /** The gateway accepted our publish on the current connection. */
  #published = false;

  constructor(view: CameraView) {
    this.#view = view;
  }

  get phase(): CameraPhase {
    return this.#phase;
  }

  get zone(): ZoneId | null {
    return this.#zone;
  }

  /** Camera and preset in use (or last used). */
  get settings(): CameraSettings | null {
    return this.#settings;
  }

  get stream(): MediaStream | null {
    return this.#source?.stream ?? null;
  }

  /** Operators whose peer connection is up. */
  get operatorsConnected(): number {
    return this.#publisher?.connectedCount ?? 0;
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
    const signalling = this.#published && this.#socket?.connected ? 'up' : this.#phase === 'publishing' && !this.#socket?.connected ? 'lost' : 'off';
    return statusOf(signalling, this.operatorsConnected > 0);
  }

  async start(zone: ZoneId, settings: CameraSettings, apiKey: string): Promise<void> {
    if (this.#phase !== 'idle') return;
    const attempt = ++this.#attempt;
    this.#apiKey = apiKey;
    this.#zone = zone;
    this.#settings = settings;
    this.#setPhase('starting');

    const unsupported = settings.deviceId === TEST_PATTERN ? null : mediaSupportError(window.isSecureContext, navigator.mediaDevices);
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

    this.#publisher = new CameraPublisher({
      stream: source.stream,
      rtcConfig: () => this.#rtc.current,
      onChange: () => this.#view.changed(),
      signalling: {
        offer: (peerId, sdp) => void this.#send('signal:offer', { peerId, sdp }),
        candidate: (peerId, candidate) => void this.#send('signal:candidate', { peerId, candidate }),
      },
    });
    this.#socket = this.#connect(zone, attempt);
  }

  /** End Session: unpublish, close every peer, stop the camera, disconnect. Idempotent. */
  stop(reason = 'ended by the operator of the camera'): void {
    if (this.#phase === 'idle') return;
    this.#attempt += 1;
    const socket = this.#socket;
    const zone = this.#zone;
    if (socket) {
      socket.removeAllListeners();
      if (this.#published && socket.connected && zone) {
        // Tell viewers at once ("camera offline") rather than when the gateway notices the disconnect.
        void request(socket, 'camera:unpublish', { zone }, 1_000).finally(() => socket.disconnect());
      } else {
        socket.disconnect();
      }
    }
    this.#socket = null;
    this.#published = false;
    this.#publisher?.close(reason);
    this.#publisher = null;
    this.#source?.stop();
    this.#source = null;
    this.#view.showPreview(null);
    forgetActiveSession();
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
    this.#useSource(source);
    await this.#publisher?.replaceStream(source.stream);
    previous?.stop();
    if (this.#phase === 'publishing' && this.#zone) rememberActiveSession({ zone: this.#zone, ...settings });
  }

  #useSource(source: VideoSource): void {
    this.#source = source;
    this.#view.showPreview(source.stream);
    for (const track of source.stream.getVideoTracks()) {
      track.addEventListener('ended', () => {
        if (this.#source === source) this.#fail(cameraError(CameraErrorCode.CAMERA_ENDED));
      });
    }
  }

  #connect(zone: ZoneId, attempt: number): SignallingSocket {
    const socket = createSignallingSocket(Role.CAMERA, this.#apiKey);
    const publisher = this.#publisher!;
    socket.on('session:ready', (session) => {
      this.#rtc.fromSession(session);
      this.#view.hideAlert(CONNECTION_LOST);
      void this.#publish(socket, zone, attempt);
    });
    socket.on('viewer:joined', ({ zone: joined, peerId }) => {
      if (joined === zone) publisher.addViewer(peerId);
    });
    socket.on('viewer:left', ({ peerId }) => publisher.removeViewer(peerId));
    socket.on('signal:answer', ({ peerId, sdp }) => publisher.acceptAnswer(peerId, sdp));
    socket.on('signal:candidate', ({ peerId, candidate }) => publisher.addRemoteCandidate(peerId, candidate));
    socket.on('signal:restart', ({ peerId }) => publisher.restartIce(peerId));
    socket.on('vigil:error', ({ event, error }) => console.warn(`vigil: ${event} refused: ${error.code}`));
    socket.on('ice:servers', ({ iceServers }) => {
      this.#rtc.renew(iceServers);
      publisher.prepareSpare();
    });
    // The key was revoked: stop at once and do not reconnect with it.
    socket.on('session:ended', ({ error }) => this.#fail({ code: error.code, message: describeError(error.code, { zone }, error.message) }));
    // Viewers already connected keep receiving video while signalling reconnects.
    socket.on('disconnect', (reason) => {
      this.#published = false;
      this.#view.changed();
      if (reason === 'io server disconnect') {
        this.#fail({ code: 'SESSION_CLOSED', message: `The gateway closed this camera session for ${zone} (another tab or device took the zone over with this session's token).` });
      } else if (reason !== 'io client disconnect') {
        this.#view.showAlert(CONNECTION_LOST, CONNECTION_LOST_MESSAGE, 'warning');
      }
    });
    socket.on('connect_error', (error) => {
      const code = handshakeErrorCode(error);
      if (!code) {
        this.#view.showAlert(CONNECTION_LOST, CONNECTION_LOST_MESSAGE, 'warning');
      } else if (!socket.active) {
        this.#fail({ code, message: describeError(code, { zone }, error.message) });
      } else {
        this.#view.showAlert(code, describeError(code, { zone }, error.message));
      }
    });
    return socket;
  }

  async #publish(socket: SignallingSocket, zone: ZoneId, attempt: number): Promise<void> {
    const publisher = this.#publisher;
    if (!publisher) return;
    // Connections opened on an earlier signalling connection (the gateway restarted, or ours
    // dropped): we ask to keep them, and the gateway pairs each with its viewer again under the
    // same peer id, with no new offer. Those it does not keep have no viewer any more: closed.
    // Taken before the request: viewer:joined for new peers arrives before the acknowledgement.
    const earlier = publisher.peerIds;
    const resumePeers = earlier.slice(0, Limits.maxResumePeers);
    const reply = await request(socket, 'camera:publish', { zone, resumeToken: resumeTokenFor(zone), resumePeers });
    if (attempt !== this.#attempt || socket !== this.#socket) return;
    if (reply.ok) {
      const kept = new Set(reply.resumedPeers);
      for (const peerId of earlier) if (!kept.has(peerId)) publisher.removeViewer(peerId);
      this.#published = true;
      publisher.prepareSpare();
      rememberActiveSession({ zone, ...this.#settings! });
      this.#setPhase('publishing');
      return;
    }
    const { code, message } = reply.error;
    if (code === 'NOT_CONNECTED') return; // the next session:ready publishes again
    if (RETRYABLE_PUBLISH_REFUSALS.has(code)) {
      this.#view.showAlert(code, describeError(code, { zone }, message), 'warning');
      setTimeout(() => {
        if (attempt === this.#attempt && socket.connected && !this.#published) void this.#publish(socket, zone, attempt);
      }, PUBLISH_RETRY_MS);
      return;
    }
    this.#fail({ code, message: describeError(code, { zone }, message) });
  }

  /** Sends a signalling message; refusals for peers that have since gone are expected. */
  async #send<E extends 'signal:offer' | 'signal:candidate'>(event: E, payload: Parameters<ClientToServerEvents[E]>[0]): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    const reply = await request(socket, event, payload);
    if (!reply.ok && reply.error.code !== 'PEER_UNKNOWN' && reply.error.code !== 'NOT_CONNECTED') {
      console.warn(`vigil: ${event} refused: ${reply.error.code}`);
    }
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
