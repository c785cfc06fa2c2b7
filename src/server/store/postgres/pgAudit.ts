import { AUDIT_HASH_FORMAT } from '../../../shared/auditCatalogue.ts';
import { entryHash, GENESIS_HASH } from '../../audit/chain.ts';
import { auditInsert, toActivity, toAuditRecord, type ActivityRow, type AuditRow } from '../rows.ts';
import type { AuditFilter, AuditRepository } from '../types.ts';
import { transaction, type Pool } from './openPostgresStore.ts';

/** Every node appends to one chain: this lock, held to the end of the appending transaction, orders them. */
const CHAIN_LOCK = 0x61_75_64_69; // "audi"
const PAGE = 1_000;
const auditRow = auditInsert(true, (position) => `$${position}`);

function where(filter: Omit<AuditFilter, 'limit'>, values: unknown[]): string {
  const clauses: string[] = [];
  const add = (sql: string, value: unknown) => { values.push(value); clauses.push(sql.replace('?', `$${values.length}`)); };
  if (filter.actor) add('actor = ?', filter.actor);
  if (filter.zone) add('zone = ?', filter.zone);
  if (filter.kind) add('kind = ?', filter.kind);
  if (filter.from !== undefined) add('at >= ?', new Date(filter.from).toISOString());
  if (filter.to !== undefined) add('at <= ?', new Date(filter.to).toISOString());
  if (filter.before !== undefined) add('id < ?', filter.before);
  if (filter.after !== undefined) add('id > ?', filter.after);
  return clauses.join(' AND ');
}

export function pgAudit(pool: Pool): AuditRepository {
  return {
    append: (draft, activity) => transaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      // An entry chains from the head, not from whatever row is last now: rows deleted from the
      // end leave a break (and an id gap) that the next verify reports.
      const head = (await client.query<{ last_id: string; last_hash: string }>('SELECT last_id, last_hash FROM audit_head WHERE id = 1')).rows[0];
      const prevHash = head?.last_hash ?? GENESIS_HASH;
      const id = Number(head?.last_id ?? 0) + 1;
      const chained = { ...draft, at: new Date().toISOString(), prevHash, hashVersion: AUDIT_HASH_FORMAT };
      const entry = { ...chained, id, hash: entryHash(chained) };
      await client.query(auditRow.sql, auditRow.values(entry));
      await client.query(
        `INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET last_id = EXCLUDED.last_id, last_hash = EXCLUDED.last_hash`,
        [id, entry.hash],
      );
      if (activity?.open) {
        const a = activity.open;
        await client.query(
          `INSERT INTO live_activity (id, kind, actor, actor_role, zone, address, user_agent, started_at, node) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, actor = EXCLUDED.actor, actor_role = EXCLUDED.actor_role, zone = EXCLUDED.zone,
             address = EXCLUDED.address, user_agent = EXCLUDED.user_agent, started_at = EXCLUDED.started_at, node = EXCLUDED.node`,
          [a.id, a.kind, a.actor, a.actorRole, a.zone, a.address, a.userAgent, a.startedAt, a.node],
        );
      }
      if (activity?.close) await client.query('DELETE FROM live_activity WHERE id = $1', [activity.close]);
      return entry;
    }),
    async query(filter) {
      const values: unknown[] = [];
      const clause = where(filter, values);
      values.push(filter.limit);
      return (await pool.query<AuditRow>(`SELECT * FROM audit ${clause ? `WHERE ${clause}` : ''} ORDER BY id DESC LIMIT $${values.length}`, values)).rows.map(toAuditRecord);
    },
    async *all(filter = {}) {
      // Paged by id, so a long trail streams without one huge result.
      let after = 0;
      for (;;) {
        const values: unknown[] = [];
        const clause = where(filter, values);
        values.push(after);
        const rows = (await pool.query<AuditRow>(
          `SELECT * FROM audit WHERE ${clause ? `${clause} AND ` : ''}id > $${values.length} ORDER BY id LIMIT ${PAGE}`, values,
        )).rows;
        for (const row of rows) yield toAuditRecord(row);
        if (rows.length < PAGE) return;
        after = rows.at(-1)!.id;
      }
    },
    async anchor() {
      const r = (await pool.query<{ last_id: number; last_hash: string; pruned_at: string }>('SELECT * FROM audit_anchor WHERE id = 1')).rows[0];
      return r ? { lastId: r.last_id, lastHash: r.last_hash, prunedAt: r.pruned_at } : null;
    },
    async head() {
      const r = (await pool.query<{ last_id: string; last_hash: string }>('SELECT last_id, last_hash FROM audit_head WHERE id = 1')).rows[0];
      return r ? { lastId: Number(r.last_id), lastHash: r.last_hash } : null;
    },
    prune: (before) => transaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const lastPruned = (await client.query<{ id: number; hash: string }>('SELECT id, hash FROM audit WHERE at < $1 ORDER BY id DESC LIMIT 1', [before])).rows[0];
      if (!lastPruned) return 0;
      const { rowCount } = await client.query('DELETE FROM audit WHERE id <= $1', [lastPruned.id]);
      await client.query(
        `INSERT INTO audit_anchor (id, last_id, last_hash, pruned_at) VALUES (1, $1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET last_id = EXCLUDED.last_id, last_hash = EXCLUDED.last_hash, pruned_at = EXCLUDED.pruned_at`,
        [lastPruned.id, lastPruned.hash, new Date().toISOString()],
      );
      return rowCount ?? 0;
    }),
    liveActivities: async () => (await pool.query<ActivityRow>('SELECT * FROM live_activity ORDER BY started_at')).rows.map(toActivity),
  };
}
