import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { AuditTrail } from '../../src/server/audit/AuditTrail.ts';
import { GENESIS_HASH } from '../../src/server/audit/chain.ts';
import { migrations } from '../../src/server/store/migrations.ts';
import { openSqliteStore } from '../../src/server/store/sqlite/openSqliteStore.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-migrate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A store as the gateway left it before migration 4, with entries hashed the way it hashed them. */
function storeBeforeHashVersions(): void {
  const db = new Database(join(dir, 'vigil.db'));
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of migrations.filter((m) => m.version <= 3)) {
    db.exec(m.sqlite);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
  }
  let prev = GENESIS_HASH;
  for (const [i, kind] of ['login.success', 'view.started', 'view.ended'].entries()) {
    const row = [new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), kind, 'alice', 'operator', 'CBD-TRAFFIC-01', '10.0.0.1', 'ua', 'ok', JSON.stringify({ i })];
    const hash = createHash('sha256').update(JSON.stringify([prev, ...row])).digest('hex');
    const { lastInsertRowid } = db.prepare('INSERT INTO audit (at, kind, actor, actor_role, zone, address, user_agent, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(...row, prev, hash);
    db.prepare('INSERT OR REPLACE INTO audit_head (id, last_id, last_hash) VALUES (1, ?, ?)').run(Number(lastInsertRowid), hash);
    prev = hash;
  }
  db.close();
}

describe('audit hash format migration (SQLite)', () => {
  it('entries written before the migration keep verifying after it, and new ones chain on', async () => {
    storeBeforeHashVersions();
    const store = openSqliteStore(dir);
    try {
      const trail = new AuditTrail(store);
      assert.deepEqual(await trail.verify(), { ok: true, checked: 3, firstBadId: null, reason: null });
      await store.audit.append({ kind: 'logout', actor: 'alice', actorRole: 'operator', zone: null, address: '10.0.0.1', userAgent: 'ua', outcome: 'ok', detail: {} });
      assert.deepEqual((await store.audit.query({ limit: 10 })).map((e) => [e.id, e.hashVersion]), [[4, 1], [3, 1], [2, 1], [1, 1]]);
      assert.deepEqual(await trail.verify(), { ok: true, checked: 4, firstBadId: null, reason: null });
    } finally {
      await store.close();
    }
  });
});
