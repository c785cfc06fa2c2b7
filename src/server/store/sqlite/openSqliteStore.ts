import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RateLimiterSQLite } from 'rate-limiter-flexible';
import type { Store } from '../types.ts';
import { migrations } from '../migrations.ts';
import { sqliteAudit } from './sqliteAudit.ts';
import { sqliteGrants, sqliteKeys } from './sqliteGrantsAndKeys.ts';
import { sqliteMediaTokens } from './sqliteMediaTokens.ts';
import { sqliteWallLayouts } from './sqliteWallLayouts.ts';
import { sqliteCameraProfiles } from './sqliteCameraProfiles.ts';
import { sqliteCameraSources } from './sqliteCameraSources.ts';
import { sqliteSceneEvents } from './sqliteSceneEvents.ts';
import { sqliteEvidence } from './sqliteEvidence.ts';
import { sqliteSessions, sqliteUsers } from './sqliteUsersAndSessions.ts';

export type Db = Database.Database;

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sqlite);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
        .run(migration.version, migration.name, new Date().toISOString());
    })();
  }
}

/**
 * The embedded store: one SQLite file in the data directory, WAL so readers never wait for the
 * writer. `synchronous = NORMAL` in WAL mode commits survive a killed process (the WAL is in the
 * OS page cache); only a power cut can lose the last transactions.
 */
export function openSqliteStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'vigil.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const seq = db.prepare('SELECT seq FROM change_seq WHERE id = 1').pluck();
  const bump = db.prepare('UPDATE change_seq SET seq = seq + 1 WHERE id = 1');
  return {
    users: sqliteUsers(db),
    sessions: sqliteSessions(db),
    grants: sqliteGrants(db),
    keys: sqliteKeys(db),
    mediaTokens: sqliteMediaTokens(db),
    cameraSources: sqliteCameraSources(db),
    wallLayouts: sqliteWallLayouts(db),
    cameraProfiles: sqliteCameraProfiles(db),
    sceneEvents: sqliteSceneEvents(db),
    evidence: sqliteEvidence(db),
    audit: sqliteAudit(db),
    changeSeq: async () => seq.get() as number,
    bumpChangeSeq: async () => void bump.run(),
    rateLimiter: (options) => new RateLimiterSQLite({ storeClient: db, storeType: 'better-sqlite3', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false, ...options } as never),
    ping: async () => db.prepare('SELECT 1').pluck().get() === 1,
    close: async () => { db.close(); },
  };
}
