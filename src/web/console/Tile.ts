import { SCENE_KIND_LABELS, Timing, type IceCandidate, type SceneKind, type PeerCloseReason, type PeerId, type ZoneId, type ZoneState } from '../../shared/index.ts';
import { computeKpis, formatKpis, type FormattedKpis, type Kpis, type StatsEntry } from '../lib/kpis.ts';
import { drawSparkline, SPARKLINE_SAMPLES } from '../lib/sparkline.ts';
import { ZoneViewer, type MediaPath, type ViewerSignalling } from '../lib/zoneViewer.ts';
import { hhmm, hhmmss } from '../shared-ui/clock.ts';
import { element } from '../shared-ui/dom.ts';
import { icon } from '../shared-ui/icons.ts';
import type { TileCamera } from './directory.ts';
import type { PtzPad } from './PtzPad.ts';

/** What the tile shows, as its `data-state` attribute. */
export type TileState = 'waiting' | 'connecting' | 'live' | 'offline';

const MESSAGES: Record<TileState, string> = {
  waiting: 'Waiting for camera…',
  offline: 'Camera offline — waiting for it to return',
  connecting: 'Connecting…',
  live: '',
};

const KPI_LABELS: readonly [keyof FormattedKpis, string][] = [
  ['icePath', 'ICE path'],
  ['rtt', 'RTT'],
  ['bitrate', 'Bitrate'],
  ['fps', 'Frame rate'],
  ['resolution', 'Resolution'],
  ['loss', 'Loss'],
  ['codec', 'Codec'],
  ['encryption', 'Encryption'],
];

/** Sparkline colours: RTT amber, bitrate green, as in the legend under the chart. */
const RTT_COLOUR = '#f0b429';
const BITRATE_COLOUR = '#3ecf8e';

/** What the gateway told us about the zone's camera. */
type Presence = 'pending' | 'waiting' | 'online' | 'offline';

export interface TileOptions {
  readonly zone: ZoneId;
  /** performance.now() of the click that asked for this zone, for the time-to-first-frame figure. */
  readonly requestedAt: number | null;
  readonly signalling: ViewerSignalling;
  rtcConfig(): RTCConfiguration;
  /** A connection made ahead under the current configuration, or null. */
  takeConnection(): RTCPeerConnection | null;
  onSelect(tile: Tile): void;
  onRemove(tile: Tile): void;
  /** The snapshot button: save a still of what the tile shows. */
  onSnapshot(tile: Tile): void;
  /** The clip button: the gateway cuts the last seconds and the next few from its ring buffer. */
  onSaveClip(tile: Tile): void;
  /** The clips button: this camera's evidence clips, to play or download. */
  onListClips(tile: Tile): void;
  /** State or KPIs changed: the wall refreshes the pill and the KPI row. */
  onChange(tile: Tile): void;
  /** An offer came and its connection is still not up after Timing.viewStuckMs: watch the zone again. */
  onStuck(tile: Tile): void;
}

/** One zone on the video wall: its DOM, its ZoneViewer connection and its KPIs. */
export class Tile {
  readonly zone: ZoneId;
  readonly element: HTMLElement;
  readonly #options: TileOptions;
  readonly #viewer: ZoneViewer;
  readonly #video: HTMLVideoElement;
  readonly #clock: HTMLElement;
  readonly #message: HTMLElement;
  readonly #media: HTMLElement;
  readonly #name: HTMLElement;
  /** What the camera's detector says is going on now (motion, tamper), over the picture. */
  readonly #scene: HTMLElement;
  #ptz: PtzPad | null = null;
  /** Whether the gateway was asked if this operator may steer the camera (once per tile). */
  steeringAsked = false;
  readonly #firstFrame: HTMLElement;
  readonly #path: HTMLElement;
  readonly #kpiValues = new Map<keyof FormattedKpis, HTMLElement>();
  readonly #sparkline: HTMLCanvasElement;
  readonly #rttHistory: (number | null)[] = [];
  readonly #bitrateHistory: (number | null)[] = [];
  #presence: Presence = 'pending';
  #peerId: PeerId | null = null;
  #hasFrame = false;
  #requestedAt: number | null;
  #kpis: Kpis | null = null;
  #previousStats: { peerId: PeerId; entries: StatsEntry[] } | null = null;
  #sampling = false;
  #closed = false;
  /**
   * Re-watched after a reconnect while the zone has no camera, still playing the camera's
   * connection: the gateway keeps our claim for the camera's return. Until the camera publishes
   * again the picture goes on as long as the connection holds, for at most the grace period.
   */
  #awaitingCamera: ReturnType<typeof setTimeout> | null = null;
  /** Runs from an offer until its connection is up (see Timing.viewStuckMs). */
  #stuck: ReturnType<typeof setTimeout> | null = null;
  /** When the camera was last seen going (for "offline since"). */
  #offlineSince: Date | null = null;
  /** When the directory says the camera was last seen (it may have gone long before this tile opened). */
  #lastSeenAt: Date | null = null;
  #neverSeen = false;

  constructor(options: TileOptions) {
    this.zone = options.zone;
    this.#options = options;
    this.#requestedAt = options.requestedAt;
    this.#viewer = new ZoneViewer({
      zone: options.zone,
      signalling: options.signalling,
      rtcConfig: options.rtcConfig,
      takeConnection: options.takeConnection,
      onStream: (stream, seamless) => this.#showStream(stream, seamless),
      onChange: () => this.#connectionChanged(),
    });

    this.element = element('article', { className: 'tile', attributes: { 'data-zone': this.zone, 'data-frames-decoded': '0', tabindex: '0' } });
    this.element.setAttribute('aria-label', `Zone ${this.zone}`);
    // Dragged by its header onto another tile to change places (VideoWall).
    const header = element('header', { className: 'tile-header', attributes: { draggable: 'true', title: 'Drag onto another tile to change places' } });
    const title = element('h3', { className: 'tile-title', text: this.zone });
    this.#name = element('span', { className: 'tile-name' });
    title.append(this.#name);
    this.#firstFrame = element('span', { className: 'tile-first-frame' });
    this.#firstFrame.hidden = true;
    // P2P or RELAY: whether this picture comes from the camera itself or the gateway's relay.
    this.#path = element('span', { className: 'tile-path', attributes: { 'data-path': '' } });
    this.#path.hidden = true;
    const fullscreen = element('button', {
      className: 'btn btn-sm btn-outline-light tile-button',
      attributes: { type: 'button', 'data-action': 'fullscreen', title: 'Fullscreen (Esc to leave)', 'aria-label': `Show ${this.zone} fullscreen` },
    });
    const snapshot = element('button', {
      className: 'btn btn-sm btn-outline-light tile-button',
      attributes: { type: 'button', 'data-action': 'snapshot', title: 'Save a still (recorded in the audit trail)', 'aria-label': `Save a still of ${this.zone}` },
    });
    snapshot.append(icon('snapshot'));
    snapshot.addEventListener('click', () => this.#options.onSnapshot(this));
    const clip = element('button', {
      className: 'btn btn-sm btn-outline-light tile-button',
      attributes: { type: 'button', 'data-action': 'clip', title: 'Save an evidence clip of the last seconds (recorded zones and IP cameras with detection; audited)', 'aria-label': `Save a clip of ${this.zone}` },
    });
    clip.append(icon('clip'));
    clip.addEventListener('click', () => this.#options.onSaveClip(this));
    const clips = element('button', {
      className: 'btn btn-sm btn-outline-light tile-button',
      attributes: { type: 'button', 'data-action': 'clips', title: 'This camera\'s evidence clips', 'aria-label': `Clips of ${this.zone}` },
    });
    clips.append(icon('clips'));
    clips.addEventListener('click', () => this.#options.onListClips(this));
    const remove = element('button', {
      className: 'btn btn-sm btn-outline-danger tile-button',
      attributes: { type: 'button', 'data-action': 'remove', title: 'Remove from the wall', 'aria-label': `Remove ${this.zone} from the wall` },
    });
    fullscreen.append(icon('fullscreen'));
    remove.append(icon('close'));
    header.append(element('span', { className: 'tile-dot', attributes: { 'aria-hidden': 'true' } }), title, this.#path, this.#firstFrame, snapshot, clip, clips, fullscreen, remove);

    const media = element('div', { className: 'tile-media' });
    this.#media = media;
    this.#video = element('video', { className: 'tile-video', attributes: { autoplay: '', muted: '', playsinline: '' } });
    this.#video.muted = true; // the attribute alone does not mute a video created by script
    this.#video.autoplay = true;
    this.#video.playsInline = true;
    this.#message = element('div', { className: 'tile-message', attributes: { role: 'status' } });
    // A live clock and the round trip, over the picture: when a still or a note is taken, and how fresh it is.
    this.#clock = element('span', { className: 'tile-clock', attributes: { 'aria-hidden': 'true' } });
    this.#scene = element('span', { className: 'tile-scene', attributes: { 'data-scene': '', role: 'status' } });
    this.#scene.hidden = true;
    media.append(this.#video, this.#message, this.#clock, this.#scene);

    const kpis = element('dl', { className: 'tile-kpis' });
    for (const [name, label] of KPI_LABELS) {
      const value = element('dd', { text: '–', attributes: { 'data-kpi': name } });
      this.#kpiValues.set(name, value);
      kpis.append(element('dt', { text: label }), value);
    }
    this.#sparkline = element('canvas', { className: 'sparkline', attributes: { 'aria-label': 'RTT and bitrate, last 60 seconds', role: 'img' } });
    const legend = element('div', { className: 'sparkline-legend' });
    legend.append(element('span', { className: 'legend-rtt', text: 'RTT' }), element('span', { className: 'legend-bitrate', text: 'Bitrate' }));

    this.element.append(header, media, kpis, this.#sparkline, legend);

    fullscreen.addEventListener('click', () => void this.toggleFullscreen());
    remove.addEventListener('click', () => this.#options.onRemove(this));
    this.element.addEventListener('click', (event) => {
      if (!(event.target instanceof Element && event.target.closest('button'))) this.#options.onSelect(this);
    });
    this.element.addEventListener('keydown', (event) => {
      if ((event.key === 'Enter' || event.key === ' ') && event.target === this.element) {
        event.preventDefault();
        this.#options.onSelect(this);
      }
    });
    this.#render();
  }

  get state(): TileState {
    if (this.#presence === 'waiting') return 'waiting';
    if (this.#presence === 'offline') return 'offline';
    return this.#viewer.connected && this.#hasFrame ? 'live' : 'connecting';
  }

  get kpis(): Kpis | null {
    return this.#kpis;
  }

  /** The picture element, for a still of what it shows. */
  get video(): HTMLVideoElement {
    return this.#video;
  }

  setSelected(selected: boolean): void {
    this.element.classList.toggle('selected', selected);
    this.element.setAttribute('aria-current', selected ? 'true' : 'false');
  }

  /** The camera's name, as the directory knows it (an IP camera's), beside the zone. */
  setCamera({ name, lastSeenAt, neverSeen }: TileCamera): void {
    const text = name ? ` · ${name}` : '';
    if (this.#name.textContent !== text) this.#name.textContent = text;
    this.element.setAttribute('aria-label', name ? `Zone ${this.zone}, ${name}` : `Zone ${this.zone}`);
    this.#lastSeenAt = lastSeenAt ? new Date(lastSeenAt) : null;
    this.#neverSeen = neverSeen;
    this.#render();
  }

  /** The zone's open motion and tamper events, as a badge over the picture (tamper first: it is the urgent one). */
  setScene(open: ReadonlySet<SceneKind>): void {
    const kinds = [...open].sort((a, b) => (a === 'motion' ? 1 : 0) - (b === 'motion' ? 1 : 0));
    this.#scene.hidden = kinds.length === 0;
    this.#scene.dataset.scene = kinds.join(' ');
    this.#scene.classList.toggle('tile-scene-tamper', kinds.some((k) => k !== 'motion'));
    const text = kinds.map((k) => SCENE_KIND_LABELS[k]).join(' · ');
    if (this.#scene.textContent !== text) this.#scene.textContent = text;
    this.element.classList.toggle('tile-alerting', kinds.length > 0);
  }

  /** Shows camera controls over the picture (the gateway said this operator may steer it). */
  showSteering(pad: PtzPad): void {
    if (this.#closed) return;
    this.#ptz?.close();
    this.#ptz = pad;
    this.#media.append(pad.element);
  }

  /** The connection to offer the gateway after a reconnect: one that is up, or null. */
  get resumablePeerId(): PeerId | null {
    return this.#viewer.connected ? this.#viewer.peerId : null;
  }

  /**
   * The gateway accepted `zone:watch` (first time or after a reconnect). `resumed`: it paired
   * the connection we still play with the camera again: nothing changes on screen.
   */
  watchAccepted(state: ZoneState, resumed = false): void {
    this.#stopAwaiting();
    if (state === 'live') {
      // Not resumed: the camera's offer on a new peer id follows and replaces the connection.
      if (this.#presence !== 'online' || resumed) this.#presence = 'online';
    } else if (this.#viewer.connected && this.#presence === 'online') {
      // The gateway restarted and the camera has not published again yet: its video still flows.
      this.#awaitCamera();
    } else if (this.#viewer.hasConnection || this.#presence === 'online' || this.#presence === 'offline') {
      // Re-watched after our own reconnect and the camera has gone meanwhile.
      this.#viewer.disconnect();
      this.#presence = 'offline';
    } else {
      this.#presence = 'waiting';
    }
    this.#render();
  }

  /** `zone:state`: the camera came online (an offer follows) or left. */
  zoneState(state: ZoneState, reason?: PeerCloseReason): void {
    this.#stopAwaiting();
    if (state === 'live') {
      this.#presence = 'online';
    } else {
      this.#viewer.disconnect();
      this.#presence = reason !== undefined || this.#presence === 'online' || this.#presence === 'offline' ? 'offline' : 'waiting';
    }
    this.#render();
  }

  acceptOffer(peerId: PeerId, sdp: string, path: MediaPath): void {
    this.#presence = 'online'; // an offer means a camera is there, whatever we heard before
    this.#viewer.acceptOffer(peerId, sdp, path);
    if (!this.#viewer.connected && this.#stuck === null) {
      this.#stuck = setTimeout(() => {
        this.#stuck = null;
        if (!this.#closed && !this.#viewer.connected && this.#presence === 'online') this.#options.onStuck(this);
      }, Timing.viewStuckMs);
    }
    this.#render();
  }

  /** Before the view starts again: the connection that never came up goes. */
  resetView(): void {
    this.#viewer.disconnect();
    this.#render();
  }

  addRemoteCandidate(peerId: PeerId, candidate: IceCandidate | null): void {
    this.#viewer.addRemoteCandidate(peerId, candidate);
  }

  /** Reads getStats once and renders the KPIs and sparkline; the wall calls it every second. */
  async sample(): Promise<void> {
    if (this.#sampling || this.#closed) return;
    this.#sampling = true;
    try {
      const peerId = this.#viewer.peerId;
      const report = await this.#viewer.getStats();
      if (this.#closed) return;
      if (!report || peerId === null || peerId !== this.#viewer.peerId) {
        this.#kpis = null;
        this.#previousStats = null;
      } else {
        const entries = [...report.values()] as StatsEntry[];
        const previous = this.#previousStats?.peerId === peerId ? this.#previousStats.entries : undefined;
        this.#kpis = computeKpis(entries, previous);
        this.#previousStats = { peerId, entries };
      }
      this.#pushHistory(this.#kpis?.rttMs ?? null, this.#kpis?.bitrateKbps ?? null);
      this.#renderKpis();
      const rtt = this.#kpis?.rttMs;
      this.#clock.textContent = `${hhmmss(Date.now())}${rtt == null ? '' : ` · ${Math.round(rtt)} ms`}`;
      this.#render();
    } finally {
      this.#sampling = false;
    }
  }

  /** Idempotent: closes the connection, leaves fullscreen, removes the element. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#stuck !== null) clearTimeout(this.#stuck);
    this.#stopAwaiting();
    this.#ptz?.close();
    this.#viewer.close();
    this.#video.srcObject = null;
    if (document.fullscreenElement === this.element) void document.exitFullscreen().catch(() => undefined);
    this.element.remove();
  }

  #awaitCamera(): void {
    this.#awaitingCamera = setTimeout(() => this.#cameraDidNotReturn(), Timing.resumeGraceMs);
  }

  #stopAwaiting(): void {
    if (this.#awaitingCamera !== null) clearTimeout(this.#awaitingCamera);
    this.#awaitingCamera = null;
  }

  /** The camera did not publish again within the grace, or the connection we kept went down. */
  #cameraDidNotReturn(): void {
    this.#stopAwaiting();
    this.#viewer.disconnect();
    this.#presence = 'offline';
    this.#render();
  }

  #connectionChanged(): void {
    if (this.#viewer.connected && this.#stuck !== null) {
      clearTimeout(this.#stuck);
      this.#stuck = null;
    }
    // Without signalling nothing can repair a connection that drops: the camera is gone.
    if (this.#awaitingCamera !== null && !this.#viewer.connected) {
      this.#cameraDidNotReturn();
      return;
    }
    const peerId = this.#viewer.peerId;
    if (peerId !== this.#peerId) {
      // A new connection (or none): nothing measured so far belongs to it.
      this.#peerId = peerId;
      this.#hasFrame = false;
      this.#previousStats = null;
      this.#kpis = null;
      this.#video.srcObject = null;
      this.element.setAttribute('data-frames-decoded', '0');
      this.#renderKpis();
    }
    this.#render();
  }

  /** `seamless`: the stream replaces a playing one and has decoded frames already (a path switch). */
  #showStream(stream: MediaStream, seamless: boolean): void {
    if (seamless) {
      // The new connection's figures start now; the picture goes on.
      this.#peerId = this.#viewer.peerId;
      this.#previousStats = null;
      this.#kpis = null;
      this.#renderKpis();
    } else this.#hasFrame = false;
    this.#video.srcObject = stream;
    // Autoplay of a muted video is allowed; a rejection here (the source was replaced) is harmless.
    void this.#video.play().catch(() => undefined);
    const onFirstFrame = (): void => {
      if (this.#closed || this.#video.srcObject !== stream) return;
      this.#hasFrame = true;
      this.#recordFirstFrame();
      this.#render();
    };
    if ('requestVideoFrameCallback' in this.#video) this.#video.requestVideoFrameCallback(onFirstFrame);
    else (this.#video as HTMLVideoElement).addEventListener('loadeddata', onFirstFrame, { once: true });
    this.#render();
  }

  /** Time from the click that asked for the zone to its first presented frame; measured once. */
  #recordFirstFrame(): void {
    if (this.#requestedAt === null) return;
    const elapsed = Math.round(performance.now() - this.#requestedAt);
    this.#requestedAt = null;
    this.element.setAttribute('data-first-frame-ms', String(elapsed));
    this.#firstFrame.textContent = `first frame ${elapsed} ms`;
    this.#firstFrame.hidden = false;
  }

  #pushHistory(rtt: number | null, bitrate: number | null): void {
    this.#rttHistory.push(rtt);
    this.#bitrateHistory.push(bitrate);
    if (this.#rttHistory.length > SPARKLINE_SAMPLES) this.#rttHistory.shift();
    if (this.#bitrateHistory.length > SPARKLINE_SAMPLES) this.#bitrateHistory.shift();
    drawSparkline(this.#sparkline, [
      { values: this.#bitrateHistory, colour: BITRATE_COLOUR },
      { values: this.#rttHistory, colour: RTT_COLOUR },
    ]);
  }

  #renderKpis(): void {
    const shown = formatKpis(this.#kpis);
    for (const [name, value] of this.#kpiValues) {
      if (value.textContent !== shown[name]) value.textContent = shown[name];
    }
    const frames = String(this.#kpis?.framesDecoded ?? 0);
    if (this.element.getAttribute('data-frames-decoded') !== frames) this.element.setAttribute('data-frames-decoded', frames);
  }

  #render(): void {
    if (this.#closed) return;
    const state = this.state;
    if (state !== 'offline') this.#offlineSince = null;
    else this.#offlineSince ??= new Date();
    const since = state === 'offline' || state === 'waiting' ? (this.#lastSeenAt ?? this.#offlineSince) : null;
    const message = state === 'offline'
      ? `Camera offline since ${hhmm(since!)} — waiting for it to return`
      : state === 'waiting' && this.#neverSeen
        ? 'Waiting for camera… No camera has ever published this zone: check its spelling.'
        : state === 'waiting' && since
          ? `Waiting for camera… (offline since ${hhmm(since)})`
          : MESSAGES[state];
    // Message first: observers of data-state read the message that goes with it.
    if (this.#message.textContent !== message) this.#message.textContent = message;
    this.#message.hidden = state === 'live';
    if (this.element.getAttribute('data-state') !== state) this.element.setAttribute('data-state', state);
    // Which pairing is playing: support staff (and tests) see a renegotiation happen.
    const peer = this.#viewer.peerId ?? '';
    if (this.element.getAttribute('data-peer') !== peer) this.element.setAttribute('data-peer', peer);
    const path = this.#viewer.connected ? this.#viewer.path : '';
    if (this.#path.getAttribute('data-path') !== path) {
      this.#path.setAttribute('data-path', path);
      this.#path.textContent = path.toUpperCase();
      this.#path.title = path === 'relay' ? 'Through the gateway\'s media relay (RTT is the relay hop)' : 'Peer to peer from the camera';
      this.#path.hidden = path === '';
    }
    this.#options.onChange(this);
  }

  async toggleFullscreen(): Promise<void> {
    try {
      if (document.fullscreenElement === this.element) await document.exitFullscreen();
      else await this.element.requestFullscreen();
    } catch {
      // Fullscreen refused (no user gesture, or not allowed in this frame): the tile stays as it is.
    }
  }
}
