import { MEDIA_TOKEN_COLUMNS, toMediaToken, type MediaTokenRow } from '../rows.ts';
import type { MediaTokenRepository } from '../types.ts';
import type { Pool } from './openPostgresStore.ts';

export function pgMediaTokens(pool: Pool): MediaTokenRepository {
  const columns = MEDIA_TOKEN_COLUMNS;
  const all = async (sql: string, values: unknown[] = []) => (await pool.query<MediaTokenRow>(sql, values)).rows.map(toMediaToken);
  return {
    async create(t) {
      return (await all(
        `INSERT INTO media_tokens (kind, label, zone_pattern, token_hash, prefix, expires_at, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${columns}`,
        [t.kind, t.label, t.zonePattern, t.tokenHash, t.prefix, t.expiresAt, t.createdAt, t.createdBy],
      ))[0]!;
    },
    byHash: async (hash) => (await all(`SELECT ${columns} FROM media_tokens WHERE token_hash = $1`, [hash]))[0] ?? null,
    byId: async (id) => (await all(`SELECT ${columns} FROM media_tokens WHERE id = $1`, [id]))[0] ?? null,
    list: () => all(`SELECT ${columns} FROM media_tokens ORDER BY created_at DESC, id DESC`),
    revoke: async (id, at) => ((await pool.query('UPDATE media_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id])).rowCount ?? 0) > 0,
    async markUsed(id, at) {
      await pool.query('UPDATE media_tokens SET last_used_at = $1 WHERE id = $2', [at, id]);
    },
  };
}
