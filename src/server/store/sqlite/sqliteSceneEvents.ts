import { SCENE_EVENT_COLUMNS, toSceneEvent, type SceneEventRow } from '../rows.ts';
import type { SceneEventRepository } from '../types.ts';
import type { Db } from './openSqliteStore.ts';

export function sqliteSceneEvents(db: Db): SceneEventRepository {
  const byId = db.prepare<[number], SceneEventRow>(`SELECT ${SCENE_EVENT_COLUMNS} FROM scene_events WHERE id = ?`);
  const read = (id: number) => { const r = byId.get(id); return r ? toSceneEvent(r) : null; };
  return {
    async create(e, snapshot) {
      const { lastInsertRowid } = db.prepare('INSERT INTO scene_events (zone, kind, camera, started_at, score, snapshot) VALUES (?, ?, ?, ?, ?, ?)')
        .run(e.zone, e.kind, e.camera, e.startedAt, e.score, snapshot);
      return read(Number(lastInsertRowid))!;
    },
    byId: async (id) => read(id),
    async list({ zone, before, limit }) {
      const rows = db.prepare<[string | null, string | null, number | null, number | null, number], SceneEventRow>(
        `SELECT ${SCENE_EVENT_COLUMNS} FROM scene_events WHERE (? IS NULL OR zone = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
      ).all(zone ?? null, zone ?? null, before ?? null, before ?? null, limit);
      return rows.map(toSceneEvent);
    },
    async update(id, { score, endedAt }) {
      db.prepare('UPDATE scene_events SET score = MAX(score, COALESCE(?, score)), ended_at = COALESCE(ended_at, ?) WHERE id = ?').run(score ?? null, endedAt ?? null, id);
      return read(id);
    },
    acknowledge: async (id, by, at) => db.prepare('UPDATE scene_events SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_by IS NULL').run(by, at, id).changes > 0,
    async annotate(id, note) {
      db.prepare('UPDATE scene_events SET note = ? WHERE id = ?').run(note, id);
      return read(id);
    },
    snapshot: async (id) => (db.prepare<[number], { snapshot: Buffer | null }>('SELECT snapshot FROM scene_events WHERE id = ?').get(id)?.snapshot ?? null),
    async setClip(id, clipId) {
      db.prepare('UPDATE scene_events SET clip_id = ? WHERE id = ?').run(clipId, id);
      return read(id);
    },
    endOpen: async (at) => db.prepare('UPDATE scene_events SET ended_at = ? WHERE ended_at IS NULL').run(at).changes,
  };
}
