import { SCENE_EVENT_COLUMNS, toSceneEvent, type SceneEventRow } from '../rows.ts';
import type { SceneEventRepository } from '../types.ts';
import type { Pool } from './openPostgresStore.ts';

export function pgSceneEvents(pool: Pool): SceneEventRepository {
  const read = async (id: number) => {
    const r = (await pool.query<SceneEventRow>(`SELECT ${SCENE_EVENT_COLUMNS} FROM scene_events WHERE id = $1`, [id])).rows[0];
    return r ? toSceneEvent(r) : null;
  };
  return {
    async create(e, snapshot) {
      const { rows } = await pool.query<SceneEventRow>(
        `INSERT INTO scene_events (zone, kind, camera, started_at, score, snapshot) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${SCENE_EVENT_COLUMNS}`,
        [e.zone, e.kind, e.camera, e.startedAt, e.score, snapshot],
      );
      return toSceneEvent(rows[0]!);
    },
    byId: read,
    async list({ zone, before, limit }) {
      const { rows } = await pool.query<SceneEventRow>(
        `SELECT ${SCENE_EVENT_COLUMNS} FROM scene_events WHERE ($1::text IS NULL OR zone = $1) AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
        [zone ?? null, before ?? null, limit],
      );
      return rows.map(toSceneEvent);
    },
    async update(id, { score, endedAt }) {
      const { rows } = await pool.query<SceneEventRow>(
        `UPDATE scene_events SET score = GREATEST(score, COALESCE($1, score)), ended_at = COALESCE(ended_at, $2) WHERE id = $3 RETURNING ${SCENE_EVENT_COLUMNS}`,
        [score ?? null, endedAt ?? null, id],
      );
      return rows[0] ? toSceneEvent(rows[0]) : null;
    },
    acknowledge: async (id, by, at) => ((await pool.query('UPDATE scene_events SET acknowledged_by = $1, acknowledged_at = $2 WHERE id = $3 AND acknowledged_by IS NULL', [by, at, id])).rowCount ?? 0) > 0,
    async annotate(id, note) {
      const { rows } = await pool.query<SceneEventRow>(`UPDATE scene_events SET note = $1 WHERE id = $2 RETURNING ${SCENE_EVENT_COLUMNS}`, [note, id]);
      return rows[0] ? toSceneEvent(rows[0]) : null;
    },
    snapshot: async (id) => (await pool.query<{ snapshot: Buffer | null }>('SELECT snapshot FROM scene_events WHERE id = $1', [id])).rows[0]?.snapshot ?? null,
    async setClip(id, clipId) {
      const { rows } = await pool.query<SceneEventRow>(`UPDATE scene_events SET clip_id = $1 WHERE id = $2 RETURNING ${SCENE_EVENT_COLUMNS}`, [clipId, id]);
      return rows[0] ? toSceneEvent(rows[0]) : null;
    },
    endOpen: async (at) => (await pool.query('UPDATE scene_events SET ended_at = $1 WHERE ended_at IS NULL', [at])).rowCount ?? 0,
  };
}
