import { protocolError, Timing, type CameraInfo, type CameraSettings, type TimelineEvent, type ZoneId, type ZoneSummary } from '../../shared/index.ts';
import type { Principal } from '../auth/Principal.ts';
import type { Logger } from '../observability/logger.ts';
import type { ZonePresence } from '../zones/ZonePresence.ts';
import type { VigilServer, VigilSocket } from './types.ts';

const ALL_ZONES_ROOM = 'directory:all';
/** The timeline this node keeps (in memory), and how much of it a console gets at connect. */
const TIMELINE_KEPT = 500;
const TIMELINE_AT_CONNECT = 100;
const seesEverything = (socket: VigilSocket): boolean => socket.data.principal.kind === 'user' && socket.data.principal.role === 'admin';

export type ZoneFilter = (principal: Principal, zone: ZoneId) => boolean;

/** The IP cameras this gateway pulls, as the directory shows them; `onChange` hears a zone whose status changed. */
export interface IpCameraDirectory {
  byZone(): Map<ZoneId, NonNullable<ZoneSummary['ipCamera']>>;
  onChange(listener: (zone: ZoneId) => void): () => void;
}

/** Named cameras (CameraCatalogue): what the directory says of each zone's camera. */
export interface CameraInfoDirectory {
  byZone(): Map<ZoneId, CameraInfo>;
  /** What the zone's camera node is told (masks, detection), read from the store now. */
  settings(zone: ZoneId): Promise<CameraSettings>;
  onChange(listener: (zone: ZoneId) => void): () => void;
}

/** Several sources of IP camera statuses (the gateway's own, edge nodes') as one; the first that names a zone wins. */
export function combinedCameraDirectory(sources: readonly IpCameraDirectory[]): IpCameraDirectory {
  return {
    byZone: () => {
      const all = new Map<ZoneId, NonNullable<ZoneSummary['ipCamera']>>();
      for (const source of [...sources].reverse()) for (const [zone, camera] of source.byZone()) all.set(zone, camera);
      return all;
    },
    onChange: (listener) => {
      const offs = sources.map((source) => source.onChange(listener));
      return () => { for (const off of offs) off(); };
    },
  };
}

/**
 * Keeps operators' zone directories current. An operator gets the whole directory once, at
 * connect; after that only the zones that changed, coalesced, so a burst of joins (a camera
 * coming back to 16 waiting viewers) costs one small push and a city of zones is never resent.
 * Each operator sees only the zones it may watch: a forbidden zone is never named to it.
 */
export class DirectoryPublisher {
  #timer: NodeJS.Timeout | null = null;
  readonly #changed = new Set<ZoneId>();
  readonly #operators = new Set<VigilSocket>();
  readonly #unsubscribe: (() => void)[];
  /** Each zone's camera online or not, as last pushed: its changes are the timeline's events. */
  readonly #online = new Map<ZoneId, boolean>();
  readonly #timeline: TimelineEvent[] = [];
  #nextEventId = 1;

  constructor(
    private readonly io: VigilServer,
    private readonly presence: ZonePresence,
    private readonly visible: ZoneFilter,
    private readonly logger: Logger,
    private readonly ipCameras: IpCameraDirectory | null = null,
    private readonly cameras: CameraInfoDirectory | null = null,
  ) {
    this.#unsubscribe = [presence.events.on('changed', (zone) => this.#schedule(zone))];
    for (const source of [ipCameras, cameras]) if (source) this.#unsubscribe.push(source.onChange((zone) => this.#schedule(zone)));
  }

  add(socket: VigilSocket): void {
    // Admins see every zone: one broadcast serves them all. Operators get their own filtered copy.
    if (seesEverything(socket)) void socket.join(ALL_ZONES_ROOM);
    else this.#operators.add(socket);
    this.sendTo(socket);
    const recent = this.#timeline.filter((e) => this.visible(socket.data.principal, e.zone)).slice(-TIMELINE_AT_CONNECT);
    socket.emit('timeline:events', { events: recent });
  }

  remove(socket: VigilSocket): void {
    this.#operators.delete(socket);
  }

  /** The whole directory as `principal` sees it. */
  async zonesFor(principal: Principal): Promise<ZoneSummary[]> {
    return this.#withCameras(await this.presence.summaries()).filter((z) => this.visible(principal, z.zone));
  }

  sendTo(socket: VigilSocket): void {
    void this.zonesFor(socket.data.principal).then(
      (zones) => socket.emit('zone:directory', { zones }),
      (error: unknown) => {
        this.logger.warn({ err: error, socket: socket.id }, 'zone directory unavailable for a console');
        socket.emit('vigil:error', { event: 'zone:directory', error: protocolError('INTERNAL', 'The zone directory is unavailable; it will be sent again.') });
      },
    );
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /**
   * Presence's zones with what is known of their cameras (IP camera status, name and place), and
   * the zones of known cameras that are down: those stay listed, saying since when.
   */
  #withCameras(zones: ZoneSummary[]): ZoneSummary[] {
    const known = this.#known();
    const listed = zones.map((z) => known.describe(z));
    const present = new Set(zones.map((z) => z.zone));
    for (const zone of known.zones()) if (!present.has(zone)) listed.push(known.describe({ zone, cameraOnline: false, viewers: 0 }));
    return listed;
  }

  /** A snapshot of both camera sources: which zones they know, and a summary with what they know of it. */
  #known() {
    const ipCameras = this.ipCameras?.byZone() ?? new Map<ZoneId, NonNullable<ZoneSummary['ipCamera']>>();
    const cameras = this.cameras?.byZone() ?? new Map<ZoneId, CameraInfo>();
    return {
      ipCameras,
      has: (zone: ZoneId) => ipCameras.has(zone) || cameras.has(zone),
      zones: () => new Set([...ipCameras.keys(), ...cameras.keys()]),
      describe: (summary: ZoneSummary): ZoneSummary => {
        const camera = cameras.get(summary.zone);
        return withIpCamera(camera ? { ...summary, camera } : summary, ipCameras.get(summary.zone));
      },
    };
  }

  #schedule(zone: ZoneId): void {
    this.#changed.add(zone);
    this.#timer ??= setTimeout(() => void this.#flush(), Timing.directoryCoalesceMs);
  }

  async #flush(): Promise<void> {
    this.#timer = null;
    const changed = [...this.#changed];
    this.#changed.clear();
    const zones: ZoneSummary[] = [];
    const removed: ZoneId[] = [];
    // A zone whose summary cannot be read now is left out of this push (its next change resends it).
    const summaries = await Promise.all(changed.map((zone) => this.presence.summary(zone).catch((error: unknown) => {
      this.logger.warn({ err: error, zone }, 'zone summary unavailable: left out of a directory update');
      return undefined;
    })));
    const known = this.#known();
    const ipCameras = known.ipCameras;
    changed.forEach((zone, i) => {
      const summary = summaries[i];
      if (summary) zones.push(known.describe(summary));
      // A known camera's zone stays listed while its camera is down, saying why or since when.
      else if (summary === null && known.has(zone)) zones.push(known.describe({ zone, cameraOnline: false, viewers: 0 }));
      else if (summary === null) removed.push(zone);
    });
    // Local: in a cluster every node hears of every change and serves its own operators.
    this.io.local.to(ALL_ZONES_ROOM).emit('zone:updated', { zones, removed });
    const events = this.#eventsOf(zones, removed, ipCameras);
    if (events.length > 0) this.io.local.to(ALL_ZONES_ROOM).emit('timeline:events', { events });
    for (const socket of this.#operators) {
      const principal = socket.data.principal;
      const update = { zones: zones.filter((z) => this.visible(principal, z.zone)), removed: removed.filter((z) => this.visible(principal, z)) };
      if (update.zones.length > 0 || update.removed.length > 0) socket.emit('zone:updated', update);
      const theirs = events.filter((e) => this.visible(principal, e.zone));
      if (theirs.length > 0) socket.emit('timeline:events', { events: theirs });
    }
  }

  /** A camera that came online or went offline since the last push is a timeline event. */
  #eventsOf(zones: readonly ZoneSummary[], removed: readonly ZoneId[], ipCameras: Map<ZoneId, NonNullable<ZoneSummary['ipCamera']>>): TimelineEvent[] {
    const events: TimelineEvent[] = [];
    const at = new Date().toISOString();
    const observe = (zone: ZoneId, online: boolean, ipCamera: ZoneSummary['ipCamera'], camera?: CameraInfo) => {
      if ((this.#online.get(zone) ?? false) === online) return;
      this.#online.set(zone, online);
      events.push({
        id: this.#nextEventId++, at, zone, kind: online ? 'camera.online' : 'camera.offline',
        camera: ipCamera?.name ?? camera?.displayName ?? null,
        detail: online ? null : ipCamera && ipCamera.status !== 'live' ? ipCamera.status : camera?.keyRevoked ? 'key revoked' : null,
      });
    };
    for (const z of zones) observe(z.zone, z.cameraOnline, z.ipCamera ?? ipCameras.get(z.zone), z.camera);
    for (const zone of removed) {
      observe(zone, false, ipCameras.get(zone));
      this.#online.delete(zone);
    }
    this.#timeline.push(...events);
    if (this.#timeline.length > TIMELINE_KEPT) this.#timeline.splice(0, this.#timeline.length - TIMELINE_KEPT);
    return events;
  }
}

/** In a cluster the node that holds the camera may be another: a camera online is live, whatever this node's ingest says. */
function withIpCamera(summary: ZoneSummary, ipCamera: ZoneSummary['ipCamera']): ZoneSummary {
  if (!ipCamera) return summary;
  return { ...summary, ipCamera: summary.cameraOnline && ipCamera.status !== 'live' ? { ...ipCamera, status: 'live' } : ipCamera };
}
