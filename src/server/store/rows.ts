/**
 * Table rows as both engines return them (snake_case columns) and their mapping to records.
 * SQLite gives booleans as 0/1 and PostgreSQL as true/false; everything else is alike.
 */
import type { AccountRole } from '../../shared/index.ts';
import { AUDIT_FIELDS, type AnyAuditField, type RowOf } from '../../shared/auditCatalogue.ts';
import type { ApiKeyRecord, AuditRecord, CameraProfileRecord, CameraSourceRecord, EvidenceRecord, GrantRecord, SceneEventRecord, LiveActivity, MediaTokenRecord, SessionRecord, UserRecord, WallLayoutRecord } from './types.ts';

export interface UserRow { id: number; username: string; password_hash: string; role: AccountRole; disabled: number | boolean; created_at: number }
export interface SessionRow {
  id: number; user_id: number; created_at: number; last_seen_at: number; expires_at: number;
  revoked_at: number | null; revoked_reason: string | null; address: string; user_agent: string;
}
export interface GrantRow { id: number; user_id: number; pattern: string; control: number | boolean; expires_at: number | null; created_at: number; created_by: string }
export interface KeyRow {
  id: number; label: string; zone_pattern: string; prefix: string; created_at: number; created_by: string;
  revoked_at: number | null; last_used_at: number | null;
}
export interface MediaTokenRow {
  id: number; kind: 'viewer' | 'publisher'; label: string; zone_pattern: string; prefix: string; expires_at: number;
  created_at: number; created_by: string; revoked_at: number | null; last_used_at: number | null;
}
export interface CameraSourceRow {
  id: number; zone: string; name: string; url: string; username: string | null; sealed_password: string | null;
  transport: 'tcp' | 'udp'; transcode: number | boolean; detect: number | boolean; onvif_address: string | null; onvif_profile: string | null; origin: 'config' | 'admin'; created_at: number; created_by: string;
}
export type AuditRow = RowOf<typeof AUDIT_FIELDS>;
export interface ActivityRow { id: string; kind: 'view' | 'publish'; actor: string; actor_role: string; zone: string; address: string; user_agent: string; started_at: number; node: string }

/** The api_keys columns a caller may see: never key_hash. */
export const KEY_COLUMNS = 'id, label, zone_pattern, prefix, created_at, created_by, revoked_at, last_used_at';

/** The media_tokens columns a caller may see: never token_hash. */
export const MEDIA_TOKEN_COLUMNS = 'id, kind, label, zone_pattern, prefix, expires_at, created_at, created_by, revoked_at, last_used_at';

export const toUser = (r: UserRow): UserRecord => ({
  id: r.id, username: r.username, passwordHash: r.password_hash, role: r.role, disabled: Boolean(r.disabled), createdAt: r.created_at,
});
export const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id, userId: r.user_id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at,
  revokedAt: r.revoked_at, revokedReason: r.revoked_reason, address: r.address, userAgent: r.user_agent,
});
export const toGrant = (r: GrantRow): GrantRecord => ({
  id: Number(r.id), userId: Number(r.user_id), pattern: r.pattern, control: Boolean(r.control), expiresAt: r.expires_at, createdAt: r.created_at, createdBy: r.created_by,
});
export const toKey = (r: KeyRow): ApiKeyRecord => ({
  id: r.id, label: r.label, zonePattern: r.zone_pattern, prefix: r.prefix, createdAt: r.created_at,
  createdBy: r.created_by, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at,
});
export const toMediaToken = (r: MediaTokenRow): MediaTokenRecord => ({
  id: r.id, kind: r.kind, label: r.label, zonePattern: r.zone_pattern, prefix: r.prefix, expiresAt: r.expires_at,
  createdAt: r.created_at, createdBy: r.created_by, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at,
});
export const CAMERA_SOURCE_COLUMNS = 'id, zone, name, url, username, sealed_password, transport, transcode, detect, onvif_address, onvif_profile, origin, created_at, created_by';
export const toCameraSource = (r: CameraSourceRow): CameraSourceRecord => ({
  id: Number(r.id), zone: r.zone, name: r.name, url: r.url, username: r.username, sealedPassword: r.sealed_password,
  transport: r.transport, transcode: Boolean(r.transcode), detect: Boolean(r.detect), onvifAddress: r.onvif_address, onvifProfile: r.onvif_profile, origin: r.origin, createdAt: Number(r.created_at), createdBy: r.created_by,
});
/** A record's fields as the camera_sources columns they change. */
export function cameraSourceColumns(change: Partial<CameraSourceRecord>): [string, unknown][] {
  const columns: Record<string, string> = { name: 'name', url: 'url', username: 'username', sealedPassword: 'sealed_password', transport: 'transport', transcode: 'transcode', detect: 'detect', onvifAddress: 'onvif_address', onvifProfile: 'onvif_profile', origin: 'origin' };
  return Object.entries(change).flatMap(([key, value]) => (columns[key] && value !== undefined ? [[columns[key]!, value] as [string, unknown]] : []));
}
const auditFields: readonly AnyAuditField[] = AUDIT_FIELDS;

export const toAuditRecord = (r: AuditRow): AuditRecord => {
  const row = r as unknown as Record<string, unknown>;
  return Object.fromEntries(auditFields.map((f) => [f.key, f.fromColumn(row[f.column])])) as AuditRecord;
};

/**
 * The append of every engine: all columns of the catalogue, values in the same order. SQLite
 * numbers entries itself (`withId: false`); PostgreSQL is given the id it took under the chain lock.
 */
export function auditInsert(withId: boolean, placeholder: (position: number) => string) {
  const fields = auditFields.filter((f) => withId || f.key !== 'id');
  return {
    sql: `INSERT INTO audit (${fields.map((f) => f.column).join(', ')}) VALUES (${fields.map((_, i) => placeholder(i + 1)).join(', ')})`,
    values: (entry: Omit<AuditRecord, 'id'> & { id?: number }): unknown[] =>
      fields.map((f) => f.toColumn((entry as unknown as Record<string, unknown>)[f.key])),
  };
}
export const toActivity = (r: ActivityRow): LiveActivity => ({
  id: r.id, kind: r.kind, actor: r.actor, actorRole: r.actor_role, zone: r.zone, address: r.address, userAgent: r.user_agent, startedAt: r.started_at, node: r.node,
});

export interface CameraProfileRow {
  zone: string; name: string | null; location: string | null; description: string | null; camera_group: string | null;
  latitude: number | null; longitude: number | null; key_id: number | string | null; key_label: string | null;
  last_seen_at: number | string | null; updated_at: number | string | null; updated_by: string | null; masks: string | null; detection: string | null;
  record: number | boolean;
}
const numberOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));
export const toCameraProfile = (r: CameraProfileRow): CameraProfileRecord => ({
  zone: r.zone, name: r.name, location: r.location, description: r.description, group: r.camera_group,
  latitude: numberOrNull(r.latitude), longitude: numberOrNull(r.longitude), keyId: numberOrNull(r.key_id), keyLabel: r.key_label,
  lastSeenAt: numberOrNull(r.last_seen_at), updatedAt: numberOrNull(r.updated_at), updatedBy: r.updated_by,
  masks: r.masks ? (JSON.parse(r.masks) as CameraProfileRecord['masks']) : [],
  detection: r.detection ? (JSON.parse(r.detection) as CameraProfileRecord['detection']) : null,
  record: Boolean(r.record),
});

export interface WallLayoutRow { scope: string; name: string; grid: string; zones: string; updated_at: number | string; updated_by: string; audience: string | null }
export const toWallLayout = (r: WallLayoutRow): WallLayoutRecord => ({
  scope: r.scope, name: r.name, grid: r.grid, zones: JSON.parse(r.zones) as string[], updatedAt: Number(r.updated_at), updatedBy: r.updated_by,
  audience: r.audience === null ? null : (JSON.parse(r.audience) as string[]),
});

export interface SceneEventRow {
  id: number | string; zone: string; kind: SceneEventRecord['kind']; camera: string | null; started_at: number | string; ended_at: number | string | null;
  score: number; has_snapshot: number | boolean; acknowledged_by: string | null; acknowledged_at: number | string | null; note: string | null; clip_id: number | string | null;
}
/** The columns of a scene event without its snapshot, whose presence is a flag. */
export const SCENE_EVENT_COLUMNS = 'id, zone, kind, camera, started_at, ended_at, score, snapshot IS NOT NULL AS has_snapshot, acknowledged_by, acknowledged_at, note, clip_id';
export const toSceneEvent = (r: SceneEventRow): SceneEventRecord => ({
  id: Number(r.id), zone: r.zone, kind: r.kind, camera: r.camera, startedAt: Number(r.started_at), endedAt: numberOrNull(r.ended_at),
  score: Number(r.score), hasSnapshot: Boolean(r.has_snapshot), acknowledgedBy: r.acknowledged_by, acknowledgedAt: numberOrNull(r.acknowledged_at), note: r.note, clipId: numberOrNull(r.clip_id),
});

export interface EvidenceRow {
  id: number | string; zone: string; event_id: number | string | null; camera: string | null; started_at: number | string; ended_at: number | string;
  file: string; bytes: number | string; sha256: string; held: number | boolean; created_at: number | string; created_by: string;
}
export const toEvidence = (r: EvidenceRow): EvidenceRecord => ({
  id: Number(r.id), zone: r.zone, eventId: numberOrNull(r.event_id), camera: r.camera, startedAt: Number(r.started_at), endedAt: Number(r.ended_at),
  file: r.file, bytes: Number(r.bytes), sha256: r.sha256, held: Boolean(r.held), createdAt: Number(r.created_at), createdBy: r.created_by,
});
