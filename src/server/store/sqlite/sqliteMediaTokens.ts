import { MEDIA_TOKEN_COLUMNS, toMediaToken, type MediaTokenRow } from '../rows.ts';
import type { MediaTokenRepository } from '../types.ts';
import type { Db } from './openSqliteStore.ts';

export function sqliteMediaTokens(db: Db): MediaTokenRepository {
  const columns = MEDIA_TOKEN_COLUMNS;
  const byId = db.prepare<[number], MediaTokenRow>(`SELECT ${columns} FROM media_tokens WHERE id = ?`);
  return {
    async create(t) {
      const { lastInsertRowid } = db.prepare(
        'INSERT INTO media_tokens (kind, label, zone_pattern, token_hash, prefix, expires_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(t.kind, t.label, t.zonePattern, t.tokenHash, t.prefix, t.expiresAt, t.createdAt, t.createdBy);
      return toMediaToken(byId.get(Number(lastInsertRowid))!);
    },
    async byHash(hash) {
      const r = db.prepare<[Buffer], MediaTokenRow>(`SELECT ${columns} FROM media_tokens WHERE token_hash = ?`).get(hash);
      return r ? toMediaToken(r) : null;
    },
    byId: async (id) => { const r = byId.get(id); return r ? toMediaToken(r) : null; },
    list: async () => db.prepare<[], MediaTokenRow>(`SELECT ${columns} FROM media_tokens ORDER BY created_at DESC, id DESC`).all().map(toMediaToken),
    revoke: async (id, at) => db.prepare('UPDATE media_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0,
    markUsed: async (id, at) => void db.prepare('UPDATE media_tokens SET last_used_at = ? WHERE id = ?').run(at, id),
  };
}
