import { CAMERA_SOURCE_COLUMNS, cameraSourceColumns, toCameraSource, type CameraSourceRow } from '../rows.ts';
import type { CameraSourceRepository } from '../types.ts';
import type { Pool } from './openPostgresStore.ts';

export function pgCameraSources(pool: Pool): CameraSourceRepository {
  const columns = CAMERA_SOURCE_COLUMNS;
  const all = async (sql: string, values: unknown[] = []) => (await pool.query<CameraSourceRow>(sql, values)).rows.map(toCameraSource);
  return {
    async create(c) {
      return (await all(
        `INSERT INTO camera_sources (zone, name, url, username, sealed_password, transport, transcode, detect, onvif_address, onvif_profile, origin, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${columns}`,
        [c.zone, c.name, c.url, c.username, c.sealedPassword, c.transport, c.transcode, c.detect, c.onvifAddress, c.onvifProfile, c.origin, c.createdAt, c.createdBy],
      ))[0]!;
    },
    byId: async (id) => (await all(`SELECT ${columns} FROM camera_sources WHERE id = $1`, [id]))[0] ?? null,
    list: () => all(`SELECT ${columns} FROM camera_sources ORDER BY zone`),
    async update(id, change) {
      const set = cameraSourceColumns(change);
      if (set.length === 0) return (await all(`SELECT ${columns} FROM camera_sources WHERE id = $1`, [id]))[0] ?? null;
      const assignments = set.map(([column], i) => `${column} = $${i + 1}`).join(', ');
      return (await all(`UPDATE camera_sources SET ${assignments} WHERE id = $${set.length + 1} RETURNING ${columns}`, [...set.map(([, value]) => value), id]))[0] ?? null;
    },
    remove: async (id) => ((await pool.query('DELETE FROM camera_sources WHERE id = $1', [id])).rowCount ?? 0) > 0,
  };
}
