import { toWallLayout, type WallLayoutRow } from '../rows.ts';
import type { WallLayoutRepository } from '../types.ts';
import type { Pool } from './openPostgresStore.ts';

export function pgWallLayouts(pool: Pool): WallLayoutRepository {
  return {
    async save(l) {
      await pool.query(`INSERT INTO wall_layouts (scope, name, grid, zones, updated_at, updated_by, audience) VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (scope, name) DO UPDATE SET grid = EXCLUDED.grid, zones = EXCLUDED.zones, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by, audience = EXCLUDED.audience`,
      [l.scope, l.name, l.grid, JSON.stringify(l.zones), l.updatedAt, l.updatedBy, l.audience === null ? null : JSON.stringify(l.audience)]);
    },
    list: async (scopes) => (await pool.query<WallLayoutRow>(
      'SELECT scope, name, grid, zones, updated_at, updated_by, audience FROM wall_layouts WHERE scope = ANY($1) ORDER BY scope, name', [scopes],
    )).rows.map(toWallLayout),
    remove: async (scope, name) => ((await pool.query('DELETE FROM wall_layouts WHERE scope = $1 AND name = $2', [scope, name])).rowCount ?? 0) > 0,
  };
}
