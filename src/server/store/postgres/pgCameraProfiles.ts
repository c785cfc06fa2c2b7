import { toCameraProfile, type CameraProfileRow } from '../rows.ts';
import type { CameraProfileRepository } from '../types.ts';
import type { Pool } from './openPostgresStore.ts';

export function pgCameraProfiles(pool: Pool): CameraProfileRepository {
  return {
    list: async () => (await pool.query<CameraProfileRow>('SELECT * FROM camera_profiles ORDER BY zone')).rows.map(toCameraProfile),
    async describe(zone, d, at, by) {
      await pool.query(`INSERT INTO camera_profiles (zone, name, location, description, camera_group, latitude, longitude, updated_at, updated_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (zone) DO UPDATE SET name = EXCLUDED.name, location = EXCLUDED.location, description = EXCLUDED.description,
          camera_group = EXCLUDED.camera_group, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
          updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
      [zone, d.name, d.location, d.description, d.group, d.latitude, d.longitude, at, by]);
    },
    async seen(zone, keyId, keyLabel, at) {
      await pool.query(`INSERT INTO camera_profiles (zone, key_id, key_label, last_seen_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (zone) DO UPDATE SET key_id = COALESCE(EXCLUDED.key_id, camera_profiles.key_id),
          key_label = COALESCE(EXCLUDED.key_label, camera_profiles.key_label), last_seen_at = EXCLUDED.last_seen_at`,
      [zone, keyId, keyLabel, at]);
    },
    remove: async (zone) => ((await pool.query('DELETE FROM camera_profiles WHERE zone = $1', [zone])).rowCount ?? 0) > 0,
    async setDetection(zone, detection, at, by) {
      await pool.query(`INSERT INTO camera_profiles (zone, detection, updated_at, updated_by) VALUES ($1, $2, $3, $4)
        ON CONFLICT (zone) DO UPDATE SET detection = EXCLUDED.detection, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`, [zone, JSON.stringify(detection), at, by]);
    },
    async setRecord(zone, record, at, by) {
      await pool.query(`INSERT INTO camera_profiles (zone, record, updated_at, updated_by) VALUES ($1, $2, $3, $4)
        ON CONFLICT (zone) DO UPDATE SET record = EXCLUDED.record, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`, [zone, record, at, by]);
    },
    async setMasks(zone, masks, at, by) {
      await pool.query(`INSERT INTO camera_profiles (zone, masks, updated_at, updated_by) VALUES ($1, $2, $3, $4)
        ON CONFLICT (zone) DO UPDATE SET masks = EXCLUDED.masks, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`, [zone, JSON.stringify(masks), at, by]);
    },
  };
}
