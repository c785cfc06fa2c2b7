import { toEvidence, type EvidenceRow } from '../rows.ts';
import type { EvidenceRepository } from '../types.ts';
import type { Pool } from './openPostgresStore.ts';

export function pgEvidence(pool: Pool): EvidenceRepository {
  const one = async (sql: string, values: unknown[]) => {
    const r = (await pool.query<EvidenceRow>(sql, values)).rows[0];
    return r ? toEvidence(r) : null;
  };
  return {
    create: async (e) => (await one(`INSERT INTO evidence (zone, event_id, camera, started_at, ended_at, file, bytes, sha256, created_at, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`, [e.zone, e.eventId, e.camera, e.startedAt, e.endedAt, e.file, e.bytes, e.sha256, e.createdAt, e.createdBy]))!,
    byId: (id) => one('SELECT * FROM evidence WHERE id = $1', [id]),
    async list({ zone, eventId, before, limit }) {
      const { rows } = await pool.query<EvidenceRow>(
        'SELECT * FROM evidence WHERE ($1::text IS NULL OR zone = $1) AND ($2::bigint IS NULL OR event_id = $2) AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4',
        [zone ?? null, eventId ?? null, before ?? null, limit],
      );
      return rows.map(toEvidence);
    },
    ofZone: async (zone) => (await pool.query<EvidenceRow>('SELECT * FROM evidence WHERE zone = $1 ORDER BY id', [zone])).rows.map(toEvidence),
    setHeld: (id, held) => one('UPDATE evidence SET held = $1 WHERE id = $2 RETURNING *', [held, id]),
    remove: async (id) => ((await pool.query('DELETE FROM evidence WHERE id = $1', [id])).rowCount ?? 0) > 0,
    async retention(zone) {
      const r = (await pool.query<{ retention_days: number | null; retention_mb: number | null }>('SELECT retention_days, retention_mb FROM camera_profiles WHERE zone = $1', [zone])).rows[0];
      return { days: r?.retention_days ?? null, megabytes: r?.retention_mb ?? null };
    },
    async setRetention(zone, days, megabytes) {
      await pool.query(`INSERT INTO camera_profiles (zone, retention_days, retention_mb) VALUES ($1, $2, $3)
        ON CONFLICT (zone) DO UPDATE SET retention_days = EXCLUDED.retention_days, retention_mb = EXCLUDED.retention_mb`, [zone, days, megabytes]);
    },
  };
}
