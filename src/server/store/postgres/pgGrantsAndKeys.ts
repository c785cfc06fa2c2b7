import { KEY_COLUMNS, toGrant, toKey, type GrantRow, type KeyRow } from '../rows.ts';
import type { ApiKeyRepository, GrantRepository } from '../types.ts';
import type { Pool } from './openPostgresStore.ts';

export function pgGrants(pool: Pool): GrantRepository {
  const all = async (sql: string, values: unknown[] = []) => (await pool.query<GrantRow>(sql, values)).rows.map(toGrant);
  return {
    async create(g) {
      return (await all('INSERT INTO grants (user_id, pattern, control, expires_at, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
        [g.userId, g.pattern, g.control, g.expiresAt, g.createdAt, g.createdBy]))[0]!;
    },
    byId: async (id) => (await all('SELECT * FROM grants WHERE id = $1', [id]))[0] ?? null,
    list: () => all('SELECT * FROM grants ORDER BY user_id, pattern'),
    ofUser: (userId) => all('SELECT * FROM grants WHERE user_id = $1', [userId]),
    remove: async (id) => ((await pool.query('DELETE FROM grants WHERE id = $1', [id])).rowCount ?? 0) > 0,
  };
}

export function pgKeys(pool: Pool): ApiKeyRepository {
  const columns = KEY_COLUMNS;
  const all = async (sql: string, values: unknown[] = []) => (await pool.query<KeyRow>(sql, values)).rows.map(toKey);
  return {
    async create(k) {
      return (await all(`INSERT INTO api_keys (label, zone_pattern, key_hash, prefix, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
        [k.label, k.zonePattern, k.keyHash, k.prefix, k.createdAt, k.createdBy]))[0]!;
    },
    byHash: async (hash) => (await all(`SELECT ${columns} FROM api_keys WHERE key_hash = $1`, [hash]))[0] ?? null,
    byId: async (id) => (await all(`SELECT ${columns} FROM api_keys WHERE id = $1`, [id]))[0] ?? null,
    list: () => all(`SELECT ${columns} FROM api_keys ORDER BY created_at DESC`),
    revoke: async (id, at) => ((await pool.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id])).rowCount ?? 0) > 0,
    async markUsed(id, at) {
      await pool.query('UPDATE api_keys SET last_used_at = $1 WHERE id = $2', [at, id]);
    },
  };
}
