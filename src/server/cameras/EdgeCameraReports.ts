import type { CameraStatus, EdgeCameraView, ZoneId, ZoneSummary } from '../../shared/index.ts';

interface Report {
  readonly connection: string;
  readonly key: string;
  name: string;
  status: CameraStatus;
  reason: string | null;
  since: number;
}

/**
 * What edge nodes say about the cameras they pull at their sites (`camera:status` on each
 * camera's connection): shown in the operators' directory as the gateway's own IP cameras are,
 * and on the admin page with the reason. A report lasts as long as the connection that made it:
 * a site that drops off shows its zones as plain offline cameras.
 */
export class EdgeCameraReports {
  readonly #reports = new Map<ZoneId, Report>();
  readonly #listeners = new Set<(zone: ZoneId) => void>();

  report(connection: string, key: string, zone: ZoneId, name: string, status: CameraStatus, reason: string | null): void {
    const known = this.#reports.get(zone);
    if (known?.connection === connection && known.name === name && known.status === status && known.reason === reason) return;
    const since = known?.connection === connection && known.status === status ? known.since : Date.now();
    this.#reports.set(zone, { connection, key, name, status, reason, since });
    this.#changed(zone);
  }

  /** The connection went: its reports go with it. */
  forget(connection: string): void {
    for (const [zone, report] of [...this.#reports]) {
      if (report.connection !== connection) continue;
      this.#reports.delete(zone);
      this.#changed(zone);
    }
  }

  byZone(): Map<ZoneId, NonNullable<ZoneSummary['ipCamera']>> {
    return new Map([...this.#reports].map(([zone, r]) => [zone, { name: r.name, status: r.status, since: new Date(r.since).toISOString(), ptz: false }]));
  }

  list(): EdgeCameraView[] {
    return [...this.#reports].map(([zone, r]) => ({ zone, name: r.name, status: r.status, reason: r.reason, since: new Date(r.since).toISOString(), key: r.key }))
      .sort((a, b) => a.zone.localeCompare(b.zone));
  }

  onChange(listener: (zone: ZoneId) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(zone: ZoneId): void {
    for (const listener of this.#listeners) listener(zone);
  }
}
