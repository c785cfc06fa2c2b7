import { toSession, toUser, type SessionRow, type UserRow } from '../rows.ts';
import type { SessionRepository, UserRepository } from '../types.ts';
import type { Db } from './openSqliteStore.ts';

export function sqliteUsers(db: Db): UserRepository {
  const byId = db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?');
  const byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  return {
    async create(user) {
      const { lastInsertRowid } = db.prepare('INSERT INTO users (username, password_hash, role, disabled, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(user.username, user.passwordHash, user.role, user.disabled ? 1 : 0, user.createdAt);
      return toUser(byId.get(Number(lastInsertRowid))!);
    },
    byId: async (id) => { const r = byId.get(id); return r ? toUser(r) : null; },
    byUsername: async (username) => { const r = byName.get(username); return r ? toUser(r) : null; },
    list: async () => db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username').all().map(toUser),
    async update(id, change) {
      const sets: string[] = [];
      const values: unknown[] = [];
      if (change.passwordHash !== undefined) { sets.push('password_hash = ?'); values.push(change.passwordHash); }
      if (change.role !== undefined) { sets.push('role = ?'); values.push(change.role); }
      if (change.disabled !== undefined) { sets.push('disabled = ?'); values.push(change.disabled ? 1 : 0); }
      if (sets.length > 0) db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
      const r = byId.get(id);
      return r ? toUser(r) : null;
    },
    count: async () => db.prepare('SELECT count(*) FROM users').pluck().get() as number,
    countActiveAdmins: async () => db.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0").pluck().get() as number,
  };
}

export function sqliteSessions(db: Db): SessionRepository {
  const byId = db.prepare<[number], SessionRow>('SELECT * FROM sessions WHERE id = ?');
  return {
    async create(s) {
      const { lastInsertRowid } = db.prepare(
        'INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(s.tokenHash, s.userId, s.createdAt, s.lastSeenAt, s.expiresAt, s.address, s.userAgent);
      return toSession(byId.get(Number(lastInsertRowid))!);
    },
    async byTokenHash(hash) {
      const r = db.prepare<[Buffer], SessionRow>('SELECT * FROM sessions WHERE token_hash = ?').get(hash);
      return r ? toSession(r) : null;
    },
    byId: async (id) => { const r = byId.get(id); return r ? toSession(r) : null; },
    listActive: async (now) => db.prepare<[number], SessionRow>(
      'SELECT * FROM sessions WHERE revoked_at IS NULL AND expires_at > ? ORDER BY last_seen_at DESC',
    ).all(now).map(toSession),
    touch: async (id, at) => void db.prepare('UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id = ?').run(at, id),
    revoke: async (id, at, reason) =>
      db.prepare('UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL').run(at, reason, id).changes > 0,
    async revokeAllOfUser(userId, at, reason) {
      return db.transaction(() => {
        const ids = db.prepare('SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL').pluck().all(userId) as number[];
        db.prepare('UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE user_id = ? AND revoked_at IS NULL').run(at, reason, userId);
        return ids;
      })();
    },
  };
}
