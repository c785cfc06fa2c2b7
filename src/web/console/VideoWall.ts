import { isTemporaryRefusal, Limits, Timing, type IceCandidate, type PeerCloseReason, type PeerId, type QualitySample, type ZoneId, type ZoneState } from '../../shared/index.ts';
import { qualitySampleOf } from '../lib/kpis.ts';
import type { RequestError } from '../lib/signallingClient.ts';
import type { MediaPath, ViewerSignalling } from '../lib/zoneViewer.ts';
import type { TileCamera } from './directory.ts';
import { PtzPad, type CameraSteering } from './PtzPad.ts';
import { Tile } from './Tile.ts';
import { neighbour, wallGrid, type WallLayout } from './wallGrid.ts';

/** KPIs are read from getStats once a second, the rate Chromium refreshes most of them. */
export const STATS_INTERVAL_MS = 1_000;

export interface WallSignalling extends ViewerSignalling {
  /**
   * `zone:watch`; resolves with the gateway's state for the zone, or the refusal. `resumePeerId`:
   * the connection the tile still plays (after a reconnect), for the gateway to pair again.
   */
  watch(zone: ZoneId, resumePeerId: PeerId | null): Promise<{ ok: true; state: ZoneState; resumed: boolean } | { ok: false; error: RequestError }>;
  /** `zone:unwatch`; resolves once the gateway answered (a tile that is gone need not wait). */
  unwatch(zone: ZoneId): Promise<void>;
  /** True once the gateway said `session:ready` on the current connection. */
  isReady(): boolean;
  /** `quality:report`: the live tiles' network figures, for the gateway's per-zone metrics. */
  reportQuality(tiles: QualitySample[]): void;
}

export interface VideoWallOptions {
  readonly signalling: WallSignalling;
  rtcConfig(): RTCConfiguration;
  /** A connection made ahead for the next tile (see Prepared), or null. */
  takeConnection(): RTCPeerConnection | null;
  /** A watch was refused; the tile has been removed unless the refusal is temporary. */
  onWatchRefused(zone: ZoneId, error: RequestError): void;
  /** Tiles, their states, the selection or the selected tile's KPIs changed. */
  onChange(): void;
  readonly steering: CameraSteering;
  /** Whether the directory says the zone's camera can be steered (PTZ). */
  steerable(zone: ZoneId): boolean;
  /** The tile's snapshot button: save a still of `video`. */
  onSnapshot(zone: ZoneId, video: HTMLVideoElement): void;
  onSaveClip(zone: ZoneId): void;
  onListClips(zone: ZoneId): void;
  /** What the directory says of the zone's camera (name, last seen). */
  camera(zone: ZoneId): TileCamera;
}

/**
 * The operator's grid of watched zones. Owns the tiles, the selection and the once-a-second
 * stats loop; routes the gateway's per-zone events to the right tile.
 */
export class VideoWall {
  readonly #container: HTMLElement;
  readonly #options: VideoWallOptions;
  readonly #tiles = new Map<ZoneId, Tile>();
  #selected: Tile | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #samplesSinceReport = 0;
  #wallLayout: WallLayout = 'auto';

  constructor(container: HTMLElement, options: VideoWallOptions) {
    this.#container = container;
    this.#options = options;
    this.#acceptDrops();
  }

  /** A tile dragged by its header onto another: the two change places (Shift+arrows do the same from the keyboard). */
  #acceptDrops(): void {
    const tileAt = (target: EventTarget | null) => (target instanceof Element ? this.#tiles.get(target.closest<HTMLElement>('.tile')?.dataset.zone ?? '') : undefined);
    let dragged: Tile | null = null;
    this.#container.addEventListener('dragstart', (event) => {
      dragged = tileAt(event.target) ?? null;
      if (!dragged || !event.dataTransfer) return;
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', dragged.zone);
    });
    this.#container.addEventListener('dragover', (event) => {
      const over = tileAt(event.target);
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
    });
    this.#container.addEventListener('drop', (event) => {
      const onto = tileAt(event.target);
      if (!dragged || !onto || onto === dragged) return;
      event.preventDefault();
      this.#swap(dragged, onto);
      dragged = null;
    });
    this.#container.addEventListener('dragend', () => { dragged = null; });
  }

  #swap(a: Tile, b: Tile): void {
    const tiles = [...this.#tiles.values()];
    const from = tiles.indexOf(a);
    const to = tiles.indexOf(b);
    [tiles[from], tiles[to]] = [b, a];
    this.#tiles.clear();
    for (const t of tiles) this.#tiles.set(t.zone, t);
    // Moving the elements keeps their video playing (a re-append of a playing <video> does not reload it).
    this.#container.append(...tiles.map((t) => t.element));
    this.#options.onChange();
  }

  get zones(): ZoneId[] {
    return [...this.#tiles.keys()];
  }

  get selected(): Tile | null {
    return this.#selected;
  }

  get streaming(): boolean {
    for (const tile of this.#tiles.values()) if (tile.state === 'live') return true;
    return false;
  }

  has(zone: ZoneId): boolean {
    return this.#tiles.has(zone);
  }

  tile(zone: ZoneId): Tile | undefined {
    return this.#tiles.get(zone);
  }

  /**
   * Puts `zone` on the wall and watches it. A zone already there is only selected.
   * @param requestedAt performance.now() of the click, for the time-to-first-frame figure.
   */
  add(zone: ZoneId, requestedAt: number | null): void {
    const existing = this.#tiles.get(zone);
    if (existing) {
      this.select(existing);
      return;
    }
    if (this.#tiles.size >= Limits.maxWatchedZones) {
      this.#options.onWatchRefused(zone, { code: 'WATCH_LIMIT', message: 'The wall is full.' });
      return;
    }
    const { signalling } = this.#options;
    const tile = new Tile({
      zone,
      requestedAt,
      signalling,
      rtcConfig: () => this.#options.rtcConfig(),
      takeConnection: () => this.#options.takeConnection(),
      onSelect: (selected) => this.select(selected),
      onRemove: (removed) => this.remove(removed.zone),
      onSnapshot: (shown) => this.#options.onSnapshot(shown.zone, shown.video),
      onSaveClip: (shown) => this.#options.onSaveClip(shown.zone),
      onListClips: (shown) => this.#options.onListClips(shown.zone),
      onChange: () => this.#options.onChange(),
      onStuck: (stuck) => {
        // A new pairing from scratch: the gateway closes the old one at both ends.
        stuck.resetView();
        void this.#options.signalling.unwatch(stuck.zone).then(() => {
          if (this.#tiles.get(stuck.zone) === stuck) void this.#watch(stuck);
        });
      },
    });
    this.#tiles.set(zone, tile);
    tile.setCamera(this.#options.camera(zone));
    this.#container.append(tile.element);
    this.#layout();
    if (!this.#selected) this.select(tile);
    this.#startStats();
    // Before session:ready the tile waits: rewatchAll() watches it once the gateway is ready.
    if (signalling.isReady()) void this.#watch(tile);
    this.#options.onChange();
  }

  /** Unwatches `zone`, closes its connection and removes its tile. */
  remove(zone: ZoneId): void {
    const tile = this.#tiles.get(zone);
    if (!tile) return;
    this.#drop(tile);
    void this.#options.signalling.unwatch(zone);
  }

  select(tile: Tile): void {
    if (this.#selected === tile) return;
    this.#selected?.setSelected(false);
    this.#selected = tile;
    tile.setSelected(true);
    this.#options.onChange();
  }

  /** After every (re)connect: the gateway forgot this connection's zones, so watch them all again. */
  rewatchAll(): void {
    for (const tile of this.#tiles.values()) void this.#watch(tile);
  }

  zoneState(zone: ZoneId, state: ZoneState, reason?: PeerCloseReason): void {
    this.#tiles.get(zone)?.zoneState(state, reason);
  }

  acceptOffer(zone: ZoneId, peerId: PeerId, sdp: string, path: MediaPath): void {
    this.#tiles.get(zone)?.acceptOffer(peerId, sdp, path);
  }

  addRemoteCandidate(zone: ZoneId, peerId: PeerId, candidate: IceCandidate | null): void {
    this.#tiles.get(zone)?.addRemoteCandidate(peerId, candidate);
  }

  /** Idempotent: closes every tile (page unload). */
  close(): void {
    this.#stopStats();
    for (const tile of this.#tiles.values()) tile.close();
    this.#tiles.clear();
    this.#selected = null;
  }

  async #watch(tile: Tile): Promise<void> {
    const reply = await this.#options.signalling.watch(tile.zone, tile.resumablePeerId);
    if (this.#tiles.get(tile.zone) !== tile) return; // removed while the request was in flight
    if (reply.ok) {
      tile.watchAccepted(reply.state, reply.resumed);
      this.#offerSteering(tile);
      return;
    }
    // A temporary refusal says nothing about the zone: keep the tile, watched again on the next connect.
    if (!isTemporaryRefusal(reply.error.code)) this.#drop(tile);
    this.#options.onWatchRefused(tile.zone, reply.error);
  }

  /** The directory changed: a camera that became steerable gets its controls on the tiles showing it. */
  directoryChanged(): void {
    for (const tile of this.#tiles.values()) {
      tile.setCamera(this.#options.camera(tile.zone));
      this.#offerSteering(tile);
    }
  }

  /** Asks once whether this operator may steer the tile's camera; the gateway decides, the controls follow. */
  #offerSteering(tile: Tile): void {
    if (tile.steeringAsked || !this.#options.steerable(tile.zone)) return;
    tile.steeringAsked = true;
    void this.#options.steering.presets(tile.zone).then((presets) => {
      if (presets !== null && this.#tiles.get(tile.zone) === tile) tile.showSteering(new PtzPad(tile.zone, presets, this.#options.steering));
    });
  }

  /** Closes and forgets a tile; the first remaining tile takes over the selection. */
  #drop(tile: Tile): void {
    this.#tiles.delete(tile.zone);
    tile.close();
    if (this.#selected === tile) {
      this.#selected = null;
      const next = this.#tiles.values().next();
      if (!next.done) this.select(next.value);
    }
    this.#layout();
    if (this.#tiles.size === 0) this.#stopStats();
    this.#options.onChange();
  }

  get layout(): WallLayout {
    return this.#wallLayout;
  }

  setLayout(layout: WallLayout): void {
    this.#wallLayout = layout;
    this.#layout();
    this.#options.onChange();
  }

  /** Keys 1–9: the Nth tile, in wall order. */
  selectIndex(index: number): void {
    const tile = [...this.#tiles.values()][index];
    if (tile) this.#focus(tile);
  }

  /** Arrow keys: the selection moves to the neighbouring tile on the grid. */
  moveSelection(key: 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown'): void {
    const tiles = [...this.#tiles.values()];
    if (!this.#selected) return this.selectIndex(0);
    const next = tiles[neighbour(tiles.indexOf(this.#selected), tiles.length, this.#grid().cols, key)];
    if (next) this.#focus(next);
  }

  /** Shift+arrows: the selected tile changes places with its neighbour (the order is the wall's). */
  moveSelected(key: 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown'): void {
    const tile = this.#selected;
    if (!tile) return;
    const tiles = [...this.#tiles.values()];
    const from = tiles.indexOf(tile);
    const to = neighbour(from, tiles.length, this.#grid().cols, key);
    if (to === from) return;
    this.#swap(tile, tiles[to]!);
    tile.element.focus();
  }

  /** Puts the tiles in this order (a restored layout); tiles it does not name keep their places after. */
  arrange(zones: readonly ZoneId[]): void {
    const tiles = [...zones.flatMap((z) => this.#tiles.get(z) ?? []), ...[...this.#tiles.values()].filter((t) => !zones.includes(t.zone))];
    this.#tiles.clear();
    for (const t of tiles) this.#tiles.set(t.zone, t);
    this.#container.append(...tiles.map((t) => t.element));
    this.#options.onChange();
  }

  /** F: the selected tile full screen (again: back). */
  toggleFullscreen(): void {
    void this.#selected?.toggleFullscreen();
  }

  #focus(tile: Tile): void {
    this.select(tile);
    tile.element.focus();
  }

  #grid(): { cols: number; rows: number } {
    return wallGrid(this.#tiles.size, this.#wallLayout);
  }

  /** Rows and columns for the tile count and the chosen layout (theme.css sizes the grid from them). */
  #layout(): void {
    const { cols, rows } = this.#grid();
    this.#container.dataset.count = String(this.#tiles.size);
    this.#container.dataset.cols = String(cols);
    this.#container.dataset.rows = String(rows);
    this.#container.dataset.layout = String(this.#wallLayout);
  }

  #startStats(): void {
    this.#timer ??= setInterval(() => void this.#sampleAll(), STATS_INTERVAL_MS);
  }

  #stopStats(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #sampleAll(): Promise<void> {
    await Promise.all([...this.#tiles.values()].map((tile) => tile.sample()));
    this.#options.onChange();
    this.#samplesSinceReport += 1;
    if (this.#samplesSinceReport * STATS_INTERVAL_MS >= Timing.qualityReportIntervalMs) this.#reportQuality();
  }

  #reportQuality(): void {
    this.#samplesSinceReport = 0;
    if (!this.#options.signalling.isReady()) return;
    const tiles: QualitySample[] = [];
    for (const tile of this.#tiles.values()) {
      if (tile.state === 'live' && tile.kpis) tiles.push(qualitySampleOf(tile.zone, tile.kpis));
    }
    if (tiles.length > 0) this.#options.signalling.reportQuality(tiles);
  }
}
