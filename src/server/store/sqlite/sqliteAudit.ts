import { AUDIT_HASH_FORMAT } from '../../../shared/auditCatalogue.ts';
import { entryHash, GENESIS_HASH } from '../../audit/chain.ts';
import { auditInsert, toActivity, toAuditRecord, type ActivityRow, type AuditRow } from '../rows.ts';
import type { AuditFilter, AuditRepository, LiveActivity } from '../types.ts';
import type { Db } from './openSqliteStore.ts';

function where(filter: Omit<AuditFilter, 'limit'>): { sql: string; values: unknown[] } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  if (filter.actor) { clauses.push('actor = ?'); values.push(filter.actor); }
  if (filter.zone) { clauses.push('zone = ?'); values.push(filter.zone); }
  if (filter.kind) { clauses.push('kind = ?'); values.push(filter.kind); }
  if (filter.from !== undefined) { clauses.push('at >= ?'); values.push(new Date(filter.from).toISOString()); }
  if (filter.to !== undefined) { clauses.push('at <= ?'); values.push(new Date(filter.to).toISOString()); }
  if (filter.before !== undefined) { clauses.push('id < ?'); values.push(filter.before); }
  if (filter.after !== undefined) { clauses.push('id > ?'); values.push(filter.after); }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
}

export function sqliteAudit(db: Db): AuditRepository {
  const head = db.prepare<[], { last_id: number; last_hash: string }>('SELECT last_id, last_hash FROM audit_head WHERE id = 1');
  const moveHead = db.prepare('INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash');
  const anchor = db.prepare<[], { last_id: number; last_hash: string; pruned_at: string }>('SELECT * FROM audit_anchor WHERE id = 1');
  const auditRow = auditInsert(false, () => '?');
  const insert = db.prepare(auditRow.sql);
  const openActivity = db.prepare(
    'INSERT OR REPLACE INTO live_activity (id, kind, actor, actor_role, zone, address, user_agent, started_at, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const closeActivity = db.prepare('DELETE FROM live_activity WHERE id = ?');

  // Reading the head, inserting and moving the head are one transaction: no two entries chain
  // from the same parent. An entry chains from the head, not from whatever row is last now, so
  // rows deleted from the end leave a break the next verify reports.
  const append = db.transaction((draft: Parameters<AuditRepository['append']>[0], activity?: { open?: LiveActivity; close?: string }) => {
    const prevHash = head.get()?.last_hash ?? GENESIS_HASH;
    const chained = { ...draft, at: new Date().toISOString(), prevHash, hashVersion: AUDIT_HASH_FORMAT };
    const entry = { ...chained, hash: entryHash(chained) };
    const { lastInsertRowid } = insert.run(...auditRow.values(entry));
    moveHead.run(Number(lastInsertRowid), entry.hash);
    if (activity?.open) {
      const a = activity.open;
      openActivity.run(a.id, a.kind, a.actor, a.actorRole, a.zone, a.address, a.userAgent, a.startedAt, a.node);
    }
    if (activity?.close) closeActivity.run(activity.close);
    return { ...entry, id: Number(lastInsertRowid) };
  });

  return {
    append: async (draft, activity) => append(draft, activity),
    async query(filter) {
      const { sql, values } = where(filter);
      return db.prepare<unknown[], AuditRow>(`SELECT * FROM audit ${sql} ORDER BY id DESC LIMIT ?`).all(...values, filter.limit).map(toAuditRecord);
    },
    async *all(filter = {}) {
      const { sql, values } = where(filter);
      for (const row of db.prepare<unknown[], AuditRow>(`SELECT * FROM audit ${sql} ORDER BY id`).iterate(...values)) yield toAuditRecord(row);
    },
    async anchor() {
      const r = anchor.get();
      return r ? { lastId: r.last_id, lastHash: r.last_hash, prunedAt: r.pruned_at } : null;
    },
    async head() {
      const r = head.get();
      return r ? { lastId: r.last_id, lastHash: r.last_hash } : null;
    },
    async prune(before) {
      return db.transaction(() => {
        const lastPruned = db.prepare<[string], { id: number; hash: string }>('SELECT id, hash FROM audit WHERE at < ? ORDER BY id DESC LIMIT 1').get(before);
        if (!lastPruned) return 0;
        const { changes } = db.prepare('DELETE FROM audit WHERE id <= ?').run(lastPruned.id);
        db.prepare('INSERT OR REPLACE INTO audit_anchor (id, last_id, last_hash, pruned_at) VALUES (1, ?, ?, ?)')
          .run(lastPruned.id, lastPruned.hash, new Date().toISOString());
        return changes;
      })();
    },
    liveActivities: async () => db.prepare<[], ActivityRow>('SELECT * FROM live_activity ORDER BY started_at').all().map(toActivity),
  };
}
