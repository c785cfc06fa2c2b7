import { CAMERA_SOURCE_COLUMNS, cameraSourceColumns, toCameraSource, type CameraSourceRow } from '../rows.ts';
import type { CameraSourceRepository } from '../types.ts';
import type { Db } from './openSqliteStore.ts';

export function sqliteCameraSources(db: Db): CameraSourceRepository {
  const columns = CAMERA_SOURCE_COLUMNS;
  const byId = db.prepare<[number], CameraSourceRow>(`SELECT ${columns} FROM camera_sources WHERE id = ?`);
  const found = (row: CameraSourceRow | undefined) => (row ? toCameraSource(row) : null);
  return {
    async create(c) {
      const { lastInsertRowid } = db.prepare(
        'INSERT INTO camera_sources (zone, name, url, username, sealed_password, transport, transcode, detect, onvif_address, onvif_profile, origin, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(c.zone, c.name, c.url, c.username, c.sealedPassword, c.transport, c.transcode ? 1 : 0, c.detect ? 1 : 0, c.onvifAddress, c.onvifProfile, c.origin, c.createdAt, c.createdBy);
      return toCameraSource(byId.get(Number(lastInsertRowid))!);
    },
    byId: async (id) => found(byId.get(id)),
    list: async () => db.prepare<[], CameraSourceRow>(`SELECT ${columns} FROM camera_sources ORDER BY zone`).all().map(toCameraSource),
    async update(id, change) {
      const set = cameraSourceColumns(change).map(([column, value]) => [column, typeof value === 'boolean' ? Number(value) : value] as const);
      if (set.length > 0) db.prepare(`UPDATE camera_sources SET ${set.map(([column]) => `${column} = ?`).join(', ')} WHERE id = ?`).run(...set.map(([, value]) => value), id);
      return found(byId.get(id));
    },
    remove: async (id) => db.prepare('DELETE FROM camera_sources WHERE id = ?').run(id).changes > 0,
  };
}
