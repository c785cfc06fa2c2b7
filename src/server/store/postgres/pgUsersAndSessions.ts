import { toSession, toUser, type SessionRow, type UserRow } from '../rows.ts';
import type { SessionRepository, UserRepository } from '../types.ts';
import { transaction, type Pool } from './openPostgresStore.ts';

export function pgUsers(pool: Pool): UserRepository {
  const one = async (sql: string, values: unknown[]) => {
    const row = (await pool.query<UserRow>(sql, values)).rows[0];
    return row ? toUser(row) : null;
  };
  return {
    async create(user) {
      return (await one('INSERT INTO users (username, password_hash, role, disabled, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
        [user.username, user.passwordHash, user.role, user.disabled, user.createdAt]))!;
    },
    byId: (id) => one('SELECT * FROM users WHERE id = $1', [id]),
    byUsername: (username) => one('SELECT * FROM users WHERE username = $1', [username]),
    list: async () => (await pool.query<UserRow>('SELECT * FROM users ORDER BY username')).rows.map(toUser),
    async update(id, change) {
      const sets: string[] = [];
      const values: unknown[] = [];
      const set = (column: string, value: unknown) => { values.push(value); sets.push(`${column} = $${values.length}`); };
      if (change.passwordHash !== undefined) set('password_hash', change.passwordHash);
      if (change.role !== undefined) set('role', change.role);
      if (change.disabled !== undefined) set('disabled', change.disabled);
      if (sets.length === 0) return one('SELECT * FROM users WHERE id = $1', [id]);
      values.push(id);
      return one(`UPDATE users SET ${sets.join(', ')} WHERE id = $${values.length} RETURNING *`, values);
    },
    count: async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n),
    countActiveAdmins: async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM users WHERE role = 'admin' AND NOT disabled")).rows[0]!.n),
  };
}

export function pgSessions(pool: Pool): SessionRepository {
  const one = async (sql: string, values: unknown[]) => {
    const row = (await pool.query<SessionRow>(sql, values)).rows[0];
    return row ? toSession(row) : null;
  };
  return {
    async create(s) {
      return (await one(
        'INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, address, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *',
        [s.tokenHash, s.userId, s.createdAt, s.lastSeenAt, s.expiresAt, s.address, s.userAgent],
      ))!;
    },
    byTokenHash: (hash) => one('SELECT * FROM sessions WHERE token_hash = $1', [hash]),
    byId: (id) => one('SELECT * FROM sessions WHERE id = $1', [id]),
    listActive: async (now) => (await pool.query<SessionRow>(
      'SELECT * FROM sessions WHERE revoked_at IS NULL AND expires_at > $1 ORDER BY last_seen_at DESC', [now],
    )).rows.map(toSession),
    async touch(id, at) {
      await pool.query('UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE id = $2', [at, id]);
    },
    revoke: async (id, at, reason) =>
      ((await pool.query('UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL', [at, reason, id])).rowCount ?? 0) > 0,
    revokeAllOfUser: (userId, at, reason) => transaction(pool, async (client) => (await client.query<{ id: number }>(
      'UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE user_id = $3 AND revoked_at IS NULL RETURNING id', [at, reason, userId],
    )).rows.map((r) => r.id)),
  };
}
