import {
  protocolError, sceneKindOf, type ProtocolError, type SceneChange, type SceneEvent, type SceneKind, type SceneReport, type ZoneId,
} from '../../shared/index.ts';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { Actor } from '../auth/Accounts.ts';
import type { Logger } from '../observability/logger.ts';
import { TokenBucket } from '../signalling/TokenBucket.ts';
import { KeyedSerial } from '../util/KeyedSerial.ts';
import { looksLikeJpeg } from '../util/jpeg.ts';
import type { SceneEventRecord, Store } from '../store/types.ts';
import { isoOrNull } from '../util/iso.ts';
import type { ZonePresence } from '../zones/ZonePresence.ts';

/**
 * Events a zone's camera may start: a burst, then one every few seconds. The detector's own
 * hysteresis already holds a real scene to a few a minute; this is for a detector that flaps (or
 * a camera key in the wrong hands). Ends are never limited: they only close what was started.
 */
export const SCENE_REPORT_BUDGET = { burst: 12, perSecond: 0.5 } as const;

/** A report without its zone field (checked by the caller). */
export type DetectorReport = Omit<SceneReport, 'zone'>;

export type SceneListener = (event: SceneEvent, change: SceneChange, before: SceneEvent | null, snapshot: Buffer | null) => void;

export const sceneEventView = (r: SceneEventRecord): SceneEvent => ({
  id: r.id, zone: r.zone as ZoneId, kind: r.kind, camera: r.camera, startedAt: new Date(r.startedAt).toISOString(), endedAt: isoOrNull(r.endedAt),
  score: r.score, hasSnapshot: r.hasSnapshot, acknowledgedBy: r.acknowledgedBy, acknowledgedAt: isoOrNull(r.acknowledgedAt), note: r.note, clipId: r.clipId,
});

/**
 * Motion and tamper events of the zones: what their camera nodes' detectors report (a camera page,
 * an edge node) or this gateway's own detector of an IP camera says. A zone has at most one open
 * event of each kind: a start while one is open raises its score, an end closes it, and a camera
 * that stops publishing closes what it left open. Stored with a snapshot; every change reaches the
 * listeners (operators' consoles, MQTT). Operators acknowledge and annotate, audited as `event.*`.
 */
export interface SceneEventsOptions {
  /** The zone's camera as people know it (its admin-given name, an IP camera's name); else the reporter's. */
  cameraName?: (zone: ZoneId) => string | null;
  now?: () => number;
}

export class SceneEvents {
  private readonly now: () => number;
  /** The connection publishing each zone on this node: only it may report for the zone. */
  readonly #publishers = new Map<ZoneId, string>();
  readonly #open = new Map<string, number>();
  readonly #budgets = new Map<ZoneId, TokenBucket>();
  readonly #listeners = new Set<SceneListener>();
  readonly #unsubscribe: (() => void)[];
  /** Reports of a zone are handled one at a time, so a start and its end land in order. */
  readonly #serial = new KeyedSerial();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditTrail,
    presence: ZonePresence,
    private readonly logger: Logger,
    private readonly options: SceneEventsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.#unsubscribe = [
      presence.events.on('published', (zone, camera) => this.#publishers.set(zone, camera.id)),
      presence.events.on('unpublished', (zone, camera) => {
        if (this.#publishers.get(zone) !== camera.id) return;
        this.#publishers.delete(zone);
        void this.endAll(zone).catch((error: unknown) => this.logger.error({ err: error, zone }, 'ending a camera\'s scene events failed'));
      }),
    ];
  }

  /** Hears every event that opens, changes or ends on this node. */
  onChange(listener: SceneListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Ends what a gateway that stopped left open (one box; a cluster's other nodes may hold them). */
  async endLeftOpen(): Promise<number> {
    return this.store.sceneEvents.endOpen(this.now());
  }

  /**
   * A camera connection's report for the zone it publishes: refused unless it publishes it here,
   * or when it starts events faster than SCENE_REPORT_BUDGET.
   */
  fromCamera(connectionId: string, camera: string | null, zone: ZoneId, report: DetectorReport): Promise<ProtocolError | null> {
    if (this.#publishers.get(zone) !== connectionId) return Promise.resolve(protocolError('NOT_PUBLISHING', `This connection does not publish ${zone}.`));
    return this.report(camera, zone, report);
  }

  /** A report this gateway trusts (its own detector of an IP camera it pulls). */
  report(camera: string | null, zone: ZoneId, report: DetectorReport): Promise<ProtocolError | null> {
    const { kind, ends } = sceneKindOf(report.type);
    if (!ends) {
      let budget = this.#budgets.get(zone);
      if (!budget) this.#budgets.set(zone, (budget = new TokenBucket(SCENE_REPORT_BUDGET.burst, SCENE_REPORT_BUDGET.perSecond, this.now)));
      if (!budget.take()) return Promise.resolve(protocolError('RATE_LIMITED', `A zone starts ${SCENE_REPORT_BUDGET.burst} events at once at most, then one per ${1 / SCENE_REPORT_BUDGET.perSecond} s.`));
    }
    const snapshot = report.snapshot ? Buffer.from(report.snapshot, 'base64') : null;
    if (snapshot && !looksLikeJpeg(snapshot)) return Promise.resolve(protocolError('PAYLOAD_INVALID', 'A snapshot is a JPEG.'));
    return this.#serial.run(zone, async () => {
      if (ends) await this.#end(zone, kind, report.score);
      else await this.#start(zone, kind, camera, report.score, snapshot);
      return null;
    });
  }

  /** Ends the zone's open events (its camera stopped publishing). */
  endAll(zone: ZoneId): Promise<void> {
    return this.#serial.run(zone, async () => {
      for (const key of [...this.#open.keys()]) if (key.startsWith(`${zone}|`)) await this.#end(zone, key.slice(zone.length + 1) as SceneKind, null);
    });
  }

  async byId(id: number): Promise<SceneEvent | null> {
    const record = await this.store.sceneEvents.byId(id);
    return record ? sceneEventView(record) : null;
  }

  /** Newest first, only zones `visible` allows (a forbidden zone's events are never named). */
  async list(visible: (zone: string) => boolean, filter: { zone?: string; before?: number; limit: number }): Promise<SceneEvent[]> {
    const found: SceneEvent[] = [];
    let before = filter.before;
    // Read in pages, so an operator with a few zones among many still gets `limit` of its own.
    for (let pages = 0; found.length < filter.limit && pages < 10; pages++) {
      const page = await this.store.sceneEvents.list({ ...(filter.zone ? { zone: filter.zone } : {}), ...(before ? { before } : {}), limit: 200 });
      for (const r of page) if (visible(r.zone) && found.length < filter.limit) found.push(sceneEventView(r));
      if (page.length < 200) break;
      before = page.at(-1)!.id;
    }
    return found;
  }

  snapshot(id: number): Promise<Buffer | null> {
    return this.store.sceneEvents.snapshot(id);
  }

  /** An operator saw to it: the first acknowledgement stands (a second is not an error). */
  async acknowledge(actor: Actor, event: SceneEvent): Promise<SceneEvent> {
    if (await this.store.sceneEvents.acknowledge(event.id, actor.actor, this.now())) {
      await this.audit.record({ kind: 'event.acknowledged', ...actor, zone: event.zone, outcome: 'ok', detail: { event: event.id, type: event.kind } });
    }
    return this.#changed(event, 'update');
  }

  async annotate(actor: Actor, event: SceneEvent, note: string): Promise<SceneEvent> {
    await this.store.sceneEvents.annotate(event.id, note);
    await this.audit.record({ kind: 'event.annotated', ...actor, zone: event.zone, outcome: 'ok', detail: { event: event.id, type: event.kind, note } });
    return this.#changed(event, 'update');
  }

  /** The evidence clip cut for an event: every console of the zone can play it from then on. */
  async clipSaved(eventId: number, clipId: number): Promise<void> {
    const before = await this.byId(eventId);
    if (before) await this.#stored(before, 'update', await this.store.sceneEvents.setClip(eventId, clipId));
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    this.#listeners.clear();
  }

  async #start(zone: ZoneId, kind: SceneKind, camera: string | null, score: number, snapshot: Buffer | null): Promise<void> {
    const open = this.#open.get(`${zone}|${kind}`);
    if (open !== undefined) {
      const before = await this.byId(open);
      if (before && score > before.score) await this.#stored(before, 'update', await this.store.sceneEvents.update(open, { score }));
      return;
    }
    const record = await this.store.sceneEvents.create({ zone, kind, camera: this.options.cameraName?.(zone) ?? camera, startedAt: this.now(), score }, snapshot);
    this.#open.set(`${zone}|${kind}`, record.id);
    this.#emit(sceneEventView(record), 'new', null, snapshot);
  }

  async #end(zone: ZoneId, kind: SceneKind, score: number | null): Promise<void> {
    const id = this.#open.get(`${zone}|${kind}`);
    if (id === undefined) return;
    this.#open.delete(`${zone}|${kind}`);
    const before = await this.byId(id);
    if (before) await this.#stored(before, 'end', await this.store.sceneEvents.update(id, { endedAt: this.now(), ...(score !== null ? { score } : {}) }));
  }

  async #changed(before: SceneEvent, change: SceneChange): Promise<SceneEvent> {
    const after = await this.byId(before.id);
    if (!after) return before;
    this.#emit(after, change, before, null);
    return after;
  }

  async #stored(before: SceneEvent, change: SceneChange, after: SceneEventRecord | null): Promise<void> {
    if (after) this.#emit(sceneEventView(after), change, before, null);
  }

  #emit(event: SceneEvent, change: SceneChange, before: SceneEvent | null, snapshot: Buffer | null): void {
    for (const listener of this.#listeners) {
      try {
        listener(event, change, before, snapshot);
      } catch (error) {
        this.logger.error({ err: error, event: event.id }, 'scene event listener failed');
      }
    }
  }
}
