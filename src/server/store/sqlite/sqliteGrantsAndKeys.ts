import { KEY_COLUMNS, toGrant, toKey, type GrantRow, type KeyRow } from '../rows.ts';
import type { ApiKeyRepository, GrantRepository } from '../types.ts';
import type { Db } from './openSqliteStore.ts';

export function sqliteGrants(db: Db): GrantRepository {
  const byId = db.prepare<[number], GrantRow>('SELECT * FROM grants WHERE id = ?');
  return {
    async create(g) {
      const { lastInsertRowid } = db.prepare('INSERT INTO grants (user_id, pattern, control, expires_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
        .run(g.userId, g.pattern, g.control ? 1 : 0, g.expiresAt, g.createdAt, g.createdBy);
      return toGrant(byId.get(Number(lastInsertRowid))!);
    },
    byId: async (id) => { const r = byId.get(id); return r ? toGrant(r) : null; },
    list: async () => db.prepare<[], GrantRow>('SELECT * FROM grants ORDER BY user_id, pattern').all().map(toGrant),
    ofUser: async (userId) => db.prepare<[number], GrantRow>('SELECT * FROM grants WHERE user_id = ?').all(userId).map(toGrant),
    remove: async (id) => db.prepare('DELETE FROM grants WHERE id = ?').run(id).changes > 0,
  };
}

export function sqliteKeys(db: Db): ApiKeyRepository {
  const columns = KEY_COLUMNS;
  const byId = db.prepare<[number], KeyRow>(`SELECT ${columns} FROM api_keys WHERE id = ?`);
  return {
    async create(k) {
      const { lastInsertRowid } = db.prepare(
        'INSERT INTO api_keys (label, zone_pattern, key_hash, prefix, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(k.label, k.zonePattern, k.keyHash, k.prefix, k.createdAt, k.createdBy);
      return toKey(byId.get(Number(lastInsertRowid))!);
    },
    async byHash(hash) {
      const r = db.prepare<[Buffer], KeyRow>(`SELECT ${columns} FROM api_keys WHERE key_hash = ?`).get(hash);
      return r ? toKey(r) : null;
    },
    byId: async (id) => { const r = byId.get(id); return r ? toKey(r) : null; },
    list: async () => db.prepare<[], KeyRow>(`SELECT ${columns} FROM api_keys ORDER BY created_at DESC`).all().map(toKey),
    revoke: async (id, at) => db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0,
    markUsed: async (id, at) => void db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(at, id),
  };
}
