import { toWallLayout, type WallLayoutRow } from '../rows.ts';
import type { WallLayoutRepository } from '../types.ts';
import type { Db } from './openSqliteStore.ts';

export function sqliteWallLayouts(db: Db): WallLayoutRepository {
  return {
    async save(l) {
      db.prepare(`INSERT INTO wall_layouts (scope, name, grid, zones, updated_at, updated_by, audience) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (scope, name) DO UPDATE SET grid = excluded.grid, zones = excluded.zones, updated_at = excluded.updated_at, updated_by = excluded.updated_by, audience = excluded.audience`)
        .run(l.scope, l.name, l.grid, JSON.stringify(l.zones), l.updatedAt, l.updatedBy, l.audience === null ? null : JSON.stringify(l.audience));
    },
    list: async (scopes) => (scopes.length === 0 ? [] : db.prepare<string[], WallLayoutRow>(
      `SELECT scope, name, grid, zones, updated_at, updated_by, audience FROM wall_layouts WHERE scope IN (${scopes.map(() => '?').join(', ')}) ORDER BY scope, name`,
    ).all(...scopes).map(toWallLayout)),
    remove: async (scope, name) => db.prepare('DELETE FROM wall_layouts WHERE scope = ? AND name = ?').run(scope, name).changes > 0,
  };
}
