import { toCameraProfile, type CameraProfileRow } from '../rows.ts';
import type { CameraProfileRepository } from '../types.ts';
import type { Db } from './openSqliteStore.ts';

export function sqliteCameraProfiles(db: Db): CameraProfileRepository {
  const describe = db.prepare(`INSERT INTO camera_profiles (zone, name, location, description, camera_group, latitude, longitude, updated_at, updated_by)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (zone) DO UPDATE SET name = excluded.name, location = excluded.location, description = excluded.description,
      camera_group = excluded.camera_group, latitude = excluded.latitude, longitude = excluded.longitude,
      updated_at = excluded.updated_at, updated_by = excluded.updated_by`);
  const seen = db.prepare(`INSERT INTO camera_profiles (zone, key_id, key_label, last_seen_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (zone) DO UPDATE SET key_id = COALESCE(excluded.key_id, key_id), key_label = COALESCE(excluded.key_label, key_label), last_seen_at = excluded.last_seen_at`);
  return {
    list: async () => db.prepare<[], CameraProfileRow>('SELECT * FROM camera_profiles ORDER BY zone').all().map(toCameraProfile),
    async describe(zone, d, at, by) {
      describe.run(zone, d.name, d.location, d.description, d.group, d.latitude, d.longitude, at, by);
    },
    async seen(zone, keyId, keyLabel, at) {
      seen.run(zone, keyId, keyLabel, at);
    },
    remove: async (zone) => db.prepare('DELETE FROM camera_profiles WHERE zone = ?').run(zone).changes > 0,
    async setDetection(zone, detection, at, by) {
      db.prepare(`INSERT INTO camera_profiles (zone, detection, updated_at, updated_by) VALUES (?, ?, ?, ?)
        ON CONFLICT (zone) DO UPDATE SET detection = excluded.detection, updated_at = excluded.updated_at, updated_by = excluded.updated_by`).run(zone, JSON.stringify(detection), at, by);
    },
    async setRecord(zone, record, at, by) {
      db.prepare(`INSERT INTO camera_profiles (zone, record, updated_at, updated_by) VALUES (?, ?, ?, ?)
        ON CONFLICT (zone) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at, updated_by = excluded.updated_by`).run(zone, record ? 1 : 0, at, by);
    },
    async setMasks(zone, masks, at, by) {
      db.prepare(`INSERT INTO camera_profiles (zone, masks, updated_at, updated_by) VALUES (?, ?, ?, ?)
        ON CONFLICT (zone) DO UPDATE SET masks = excluded.masks, updated_at = excluded.updated_at, updated_by = excluded.updated_by`).run(zone, JSON.stringify(masks), at, by);
    },
  };
}
