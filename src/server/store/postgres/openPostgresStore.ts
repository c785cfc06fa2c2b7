import pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Logger } from '../../observability/logger.ts';
import { migrations } from '../migrations.ts';
import type { Store } from '../types.ts';
import { pgAudit } from './pgAudit.ts';
import { pgGrants, pgKeys } from './pgGrantsAndKeys.ts';
import { pgMediaTokens } from './pgMediaTokens.ts';
import { pgWallLayouts } from './pgWallLayouts.ts';
import { pgCameraProfiles } from './pgCameraProfiles.ts';
import { pgSceneEvents } from './pgSceneEvents.ts';
import { pgEvidence } from './pgEvidence.ts';
import { pgCameraSources } from './pgCameraSources.ts';
import { pgSessions, pgUsers } from './pgUsersAndSessions.ts';

export type Pool = pg.Pool;

/** BIGINT columns hold epoch milliseconds and ids: well inside a double's exact range. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Every node may start at once: one migrates, the others wait on the lock and find it done. */
const MIGRATION_LOCK = 0x76_69_67_69; // "vigi"

async function migrate(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.postgres);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, new Date().toISOString()]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    // A connection that cannot unlock is closed instead of pooled: closing it is what frees the lock.
    const unlocked = await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).then(() => null, (error: Error) => error);
    client.release(unlocked ?? undefined);
  }
}

/** Runs `work` in one transaction on one pooled connection. */
export async function transaction<T>(pool: Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // The caller gets the first error; a connection that cannot even roll back is closed, not pooled mid-transaction.
    broken = await client.query('ROLLBACK').then(() => undefined, (rollbackError: Error) => rollbackError);
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * The shared store of a cluster: every gateway node reads and writes the same people, sessions,
 * keys, grants, audit chain and login limits. Same repository interface and migration numbers as
 * the SQLite store; the audit chain is serialised across nodes by a transaction-scoped lock.
 */
export async function openPostgresStore(url: string, logger?: Logger): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10, types, connectionTimeoutMillis: 5_000, application_name: 'vigil' });
  // An idle client that loses its server must not crash the process (the next query reconnects),
  // but an operator sees why connections drop. The URL, with its password, is never logged.
  pool.on('error', (error) => logger?.warn({ err: error }, 'PostgreSQL connection lost'));
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    users: pgUsers(pool),
    sessions: pgSessions(pool),
    grants: pgGrants(pool),
    keys: pgKeys(pool),
    mediaTokens: pgMediaTokens(pool),
    cameraSources: pgCameraSources(pool),
    wallLayouts: pgWallLayouts(pool),
    cameraProfiles: pgCameraProfiles(pool),
    sceneEvents: pgSceneEvents(pool),
    evidence: pgEvidence(pool),
    audit: pgAudit(pool),
    async changeSeq() {
      return (await pool.query<{ seq: number }>('SELECT seq FROM change_seq WHERE id = 1')).rows[0]!.seq;
    },
    async bumpChangeSeq() {
      await pool.query('UPDATE change_seq SET seq = seq + 1 WHERE id = 1');
    },
    rateLimiter: (options) => new RateLimiterPostgres({
      storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false, ...options,
    } as never),
    async ping() {
      return (await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one === 1;
    },
    close: () => pool.end(),
  };
}
