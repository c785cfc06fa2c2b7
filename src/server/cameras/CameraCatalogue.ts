import { DEFAULT_DETECTION, type CameraDetails, type CameraInfo, type CameraSettings, type DetectionSettings, type MaskPolygon, type ZoneId } from '../../shared/index.ts';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { Actor } from '../auth/Accounts.ts';
import type { Logger } from '../observability/logger.ts';
import type { CameraProfileRecord, Store } from '../store/types.ts';
import type { Participant } from '../zones/Participant.ts';
import { isoOrNull as iso } from '../util/iso.ts';
import type { ZonePresence } from '../zones/ZonePresence.ts';

/** How often a node reads the catalogue again: what other nodes saw and admins changed reaches it within this. */
export const CATALOGUE_REFRESH_MS = 10_000;


/** What the directory carries of one profile; `revoked`: the ids of revoked camera keys. */
const infoOf = (r: CameraProfileRecord, revoked: ReadonlySet<number>): CameraInfo => ({
  name: r.name, location: r.location, description: r.description, group: r.group, latitude: r.latitude, longitude: r.longitude,
  displayName: r.name ?? r.keyLabel,
  lastSeenAt: iso(r.lastSeenAt),
  keyRevoked: r.keyId !== null && revoked.has(r.keyId),
});

type SettingsListener = (zone: ZoneId, before: CameraSettings, after: CameraSettings) => void;

/** What a zone's camera is told of it (CameraSettings), from its profile (none: the defaults). */
const settingsOf = (r: CameraProfileRecord | undefined): CameraSettings => ({ masks: r?.masks ?? [], detection: r?.detection ?? DEFAULT_DETECTION, record: r?.record ?? false });

const sameInfo = (a: CameraInfo | undefined, b: CameraInfo | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Named cameras, as the directory shows them: each zone's name, place and group as an admin gave
 * them, when its camera was last seen and whether the key it last published with is revoked. Kept
 * in memory and read again when this node changes it, when a key is revoked, and every
 * CATALOGUE_REFRESH_MS (for what other nodes of a cluster wrote). `onChange` hears each zone whose
 * entry changed, so the directory pushes only those.
 */
export class CameraCatalogue {
  #byZone = new Map<ZoneId, CameraInfo>();
  #records: CameraProfileRecord[] = [];
  /** Ids of revoked camera keys, as of the last read. */
  #revoked: ReadonlySet<number> = new Set();
  readonly #listeners = new Set<(zone: ZoneId) => void>();
  readonly #settingsListeners = new Set<SettingsListener>();
  /** The connection publishing each zone on this node: it is told when the zone's masks change. */
  readonly #publishers = new Map<ZoneId, Participant>();
  readonly #unsubscribe: (() => void)[] = [];
  #timer: NodeJS.Timeout | null = null;
  #reloading: Promise<void> | null = null;
  #again = false;

  constructor(
    private readonly store: Store,
    private readonly audit: AuditTrail,
    private readonly logger: Logger,
  ) {}

  /** Reads the catalogue and follows `presence`: a camera of this node starting or stopping is when it was last seen. */
  async start(presence: ZonePresence, refreshMs = CATALOGUE_REFRESH_MS): Promise<void> {
    await this.reload();
    this.#unsubscribe.push(
      presence.events.on('published', (zone, camera) => {
        this.#publishers.set(zone, camera);
        void this.#seen(zone, camera);
      }),
      presence.events.on('unpublished', (zone, camera) => {
        if (this.#publishers.get(zone) === camera) this.#publishers.delete(zone);
        void this.#seen(zone, camera);
      }),
    );
    this.#timer = setInterval(() => void this.reload(), refreshMs);
    this.#timer.unref();
  }

  byZone(): Map<ZoneId, CameraInfo> {
    return this.#byZone;
  }

  /** Every profile, for the admin page. */
  records(): readonly CameraProfileRecord[] {
    return this.#records;
  }

  onChange(listener: (zone: ZoneId) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** `listener` hears each zone whose masks, detection or recording changed (here or on another node), with before and after. */
  onSettings(listener: SettingsListener): () => void {
    this.#settingsListeners.add(listener);
    return () => this.#settingsListeners.delete(listener);
  }

  async describe(by: Actor, zone: ZoneId, details: CameraDetails): Promise<void> {
    await this.audit.record({ ...by, kind: 'camera.described', zone, outcome: 'ok', detail: { ...details } });
    await this.store.cameraProfiles.describe(zone, details, Date.now(), by.actor);
    await this.reload();
  }

  /** What the zone's camera node is told (privacy masks, detection settings), as the store has it now. */
  async settings(zone: ZoneId): Promise<CameraSettings> {
    await this.reload();
    return this.settingsNow(zone);
  }

  /** The same from this node's copy (an IP camera's detector, at each ffmpeg start). */
  settingsNow(zone: ZoneId): CameraSettings {
    const record = this.#records.find((r) => r.zone === zone);
    return settingsOf(record);
  }

  /** Sets the zone's detection settings (audited); its camera node uses them from its next frame. */
  async setDetection(by: Actor, zone: ZoneId, detection: DetectionSettings): Promise<void> {
    await this.audit.record({ ...by, kind: 'camera.detection', zone, outcome: 'ok', detail: { ...detection } });
    await this.store.cameraProfiles.setDetection(zone, detection, Date.now(), by.actor);
    await this.reload();
  }

  /** Turns the zone's evidence recording on or off (audited); see CameraSettings.record. */
  async setRecord(by: Actor, zone: ZoneId, record: boolean): Promise<void> {
    await this.audit.record({ ...by, kind: 'camera.recording', zone, outcome: 'ok', detail: { record } });
    await this.store.cameraProfiles.setRecord(zone, record, Date.now(), by.actor);
    await this.reload();
  }

  /** Sets the zone's masks (audited with the polygons); the camera publishing it applies them from its next frame. */
  async setMasks(by: Actor, zone: ZoneId, masks: MaskPolygon[]): Promise<void> {
    await this.audit.record({ ...by, kind: 'camera.masked', zone, outcome: 'ok', detail: { count: masks.length, masks } });
    await this.store.cameraProfiles.setMasks(zone, masks, Date.now(), by.actor);
    await this.reload();
  }

  /** Forgets the zone's camera (its name and what was seen of it); false when there was none. */
  async remove(by: Actor, zone: ZoneId): Promise<boolean> {
    if (!this.#records.some((r) => r.zone === zone)) return false;
    await this.audit.record({ ...by, kind: 'camera.described', zone, outcome: 'ok', detail: { removed: true } });
    const removed = await this.store.cameraProfiles.remove(zone);
    await this.reload();
    return removed;
  }

  /** Reads the store again; concurrent calls share one read, and one more follows if asked during it. */
  reload(): Promise<void> {
    if (this.#reloading) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = this.#read()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'camera catalogue unavailable; the directory keeps what it had'))
      .finally(() => {
        this.#reloading = null;
        if (this.#again) {
          this.#again = false;
          void this.reload();
        }
      });
    return this.#reloading;
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
    this.#settingsListeners.clear();
  }

  async #read(): Promise<void> {
    const [records, keys] = await Promise.all([this.store.cameraProfiles.list(), this.store.keys.list()]);
    const revoked = new Set(keys.filter((k) => k.revokedAt !== null).map((k) => k.id));
    const next = new Map<ZoneId, CameraInfo>();
    for (const r of records) next.set(r.zone as ZoneId, infoOf(r, revoked));
    const changed = new Set<ZoneId>();
    // Masks, detection or recording changed here or on another node: the camera publishing the zone here applies them.
    const settingsChanged: [ZoneId, CameraSettings, CameraSettings, boolean][] = [];
    for (const r of records) {
      const known = this.#records.find((k) => k.zone === r.zone);
      const [before, after] = [settingsOf(known), settingsOf(r)];
      if (JSON.stringify(before) !== JSON.stringify(after)) settingsChanged.push([r.zone as ZoneId, before, after, known !== undefined]);
    }
    for (const [zone, info] of next) if (!sameInfo(this.#byZone.get(zone), info)) changed.add(zone);
    for (const zone of this.#byZone.keys()) if (!next.has(zone)) changed.add(zone);
    this.#byZone = next;
    this.#records = records;
    this.#revoked = revoked;
    // Told once this copy holds the change: what they ask of it (settingsNow) is the new value.
    for (const [zone, before, after, known] of settingsChanged) {
      this.#publishers.get(zone)?.send('camera:settings', { zone, ...after });
      if (known) for (const listener of this.#settingsListeners) listener(zone, before, after);
    }
    for (const zone of changed) for (const listener of this.#listeners) listener(zone);
  }

  async #seen(zone: ZoneId, camera: Participant): Promise<void> {
    const principal = camera.principal;
    // A camera key names the camera; an IP camera or a WHIP encoder is seen under its own label.
    if (!principal || principal.kind === 'user') return;
    const key = principal.kind === 'camera' ? { id: principal.keyId, label: principal.label } : { id: null, label: principal.label };
    const at = Date.now();
    // At once in memory: the directory's next push (coalesced, a moment away) already names the
    // camera and says since when; the store's copy follows, and reading it back changes nothing.
    // The record as the store will hold it (see the repositories' seen()): a key, if given, replaces the last one.
    const known = this.#records.find((r) => r.zone === zone);
    const seen: CameraProfileRecord = {
      ...(known ?? { zone, name: null, location: null, description: null, group: null, latitude: null, longitude: null, keyId: null, keyLabel: null, updatedAt: null, updatedBy: null, masks: [], detection: null, record: false }),
      keyId: key.id ?? known?.keyId ?? null,
      keyLabel: key.label ?? known?.keyLabel ?? null,
      lastSeenAt: at,
    };
    this.#records = [...this.#records.filter((r) => r.zone !== zone), seen];
    this.#byZone = new Map(this.#byZone).set(zone, infoOf(seen, this.#revoked));
    for (const listener of this.#listeners) listener(zone);
    try {
      await this.store.cameraProfiles.seen(zone, key.id, key.label, at);
      await this.reload();
    } catch (error) {
      this.logger.warn({ err: error, zone }, 'could not note when the camera was seen');
    }
  }
}
