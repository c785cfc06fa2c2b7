/**
 * The store's records and repository interfaces. Callers only see these: the SQLite
 * implementation (one box) and, later, PostgreSQL (a cluster) both implement them, so every
 * method is asynchronous even where SQLite is not.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AccountRole } from '../../shared/index.ts';
import type { SceneKind } from '../../shared/sceneEvents.ts';
import type { DetectionSettings, MaskPolygon } from '../../shared/privacyMasks.ts';
import type { AuditEntry, AuditEntryDraft } from '../../shared/auditCatalogue.ts';

export interface RateLimitOptions {
  keyPrefix: string;
  points: number;
  /** Seconds. */
  duration: number;
  blockDuration: number;
}

export type RateLimiterFactory = (options: RateLimitOptions) => RateLimiterAbstract;

export interface UserRecord {
  id: number;
  username: string;
  passwordHash: string;
  role: AccountRole;
  disabled: boolean;
  createdAt: number;
}

export interface SessionRecord {
  id: number;
  userId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
  revokedReason: string | null;
  address: string;
  userAgent: string;
}

export interface GrantRecord {
  id: number;
  userId: number;
  pattern: string;
  /** The grant's holder may also steer the zone's camera (PTZ), not only watch it. */
  control: boolean;
  expiresAt: number | null;
  createdAt: number;
  createdBy: string;
}

export interface ApiKeyRecord {
  id: number;
  label: string;
  zonePattern: string;
  prefix: string;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** A WHEP viewer or WHIP publisher bearer token (never its secret or hash). */
export interface MediaTokenRecord {
  id: number;
  kind: 'viewer' | 'publisher';
  label: string;
  zonePattern: string;
  prefix: string;
  expiresAt: number;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** An IP camera the gateway pulls; its password only ever sealed (SecretBox). */
export interface CameraSourceRecord {
  id: number;
  zone: string;
  name: string;
  url: string;
  username: string | null;
  sealedPassword: string | null;
  transport: 'tcp' | 'udp';
  transcode: boolean;
  /** The gateway runs motion and tamper detection on a low-rate grey copy. */
  detect: boolean;
  /** Where the camera answers ONVIF (`host:port`) and the media profile it is steered through (PTZ); null: no ONVIF. */
  onvifAddress: string | null;
  onvifProfile: string | null;
  origin: 'config' | 'admin';
  createdAt: number;
  createdBy: string;
}

/** A video wall: an operator's own (`scope` 'user:<id>') or one an admin shared ('shared'); name '' is the wall as last left. */
export interface WallLayoutRecord {
  scope: string;
  name: string;
  grid: string;
  zones: string[];
  updatedAt: number;
  updatedBy: string;
  /** A shared layout's operators (usernames); null: every operator (and always for one's own). */
  audience: string[] | null;
}

export interface WallLayoutRepository {
  /** Creates or replaces the scope's layout of that name. */
  save(layout: WallLayoutRecord): Promise<void>;
  list(scopes: readonly string[]): Promise<WallLayoutRecord[]>;
  remove(scope: string, name: string): Promise<boolean>;
}

/** A zone's camera: what an admin said of it, and the key that last published it and when. */
export interface CameraProfileRecord {
  zone: string;
  name: string | null;
  location: string | null;
  description: string | null;
  group: string | null;
  latitude: number | null;
  longitude: number | null;
  keyId: number | null;
  keyLabel: string | null;
  lastSeenAt: number | null;
  /** Of the admin's details; null while only seen. */
  updatedAt: number | null;
  updatedBy: string | null;
  /** Privacy masks, polygons in picture coordinates; empty: none. */
  masks: MaskPolygon[];
  /** The detector's settings; null: the defaults. */
  detection: DetectionSettings | null;
  /** Its camera keeps an evidence ring buffer (a browser camera then publishes through the relay). */
  record: boolean;
}

export type CameraProfileDetails = Pick<CameraProfileRecord, 'name' | 'location' | 'description' | 'group' | 'latitude' | 'longitude'>;

export interface CameraProfileRepository {
  list(): Promise<CameraProfileRecord[]>;
  /** An admin names or places the zone's camera; what was seen of it stays. */
  describe(zone: string, details: CameraProfileDetails, at: number, by: string): Promise<void>;
  /** A camera started or stopped publishing the zone, with this key (null: not a camera key). */
  seen(zone: string, keyId: number | null, keyLabel: string | null, at: number): Promise<void>;
  remove(zone: string): Promise<boolean>;
  /** Replaces the zone's privacy masks (the profile is made if there is none). */
  setMasks(zone: string, masks: readonly MaskPolygon[], at: number, by: string): Promise<void>;
  setDetection(zone: string, detection: DetectionSettings, at: number, by: string): Promise<void>;
  setRecord(zone: string, record: boolean, at: number, by: string): Promise<void>;
}

/** A motion or tamper event as stored (times in ms since epoch); its snapshot is read on its own. */
export interface SceneEventRecord {
  id: number;
  zone: string;
  kind: SceneKind;
  camera: string | null;
  startedAt: number;
  endedAt: number | null;
  score: number;
  hasSnapshot: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  note: string | null;
  /** The evidence clip cut for it, once saved. */
  clipId: number | null;
}

export interface SceneEventFilter {
  zone?: string;
  /** Events with an id below this (paging back). */
  before?: number;
  limit: number;
}

export interface SceneEventRepository {
  create(event: Pick<SceneEventRecord, 'zone' | 'kind' | 'camera' | 'startedAt' | 'score'>, snapshot: Buffer | null): Promise<SceneEventRecord>;
  byId(id: number): Promise<SceneEventRecord | null>;
  /** Newest first. */
  list(filter: SceneEventFilter): Promise<SceneEventRecord[]>;
  /** A higher score while it lasts, its end, or both. */
  update(id: number, change: { score?: number; endedAt?: number }): Promise<SceneEventRecord | null>;
  /** The first acknowledgement stands; false when it was acknowledged already (or is unknown). */
  acknowledge(id: number, by: string, at: number): Promise<boolean>;
  annotate(id: number, note: string): Promise<SceneEventRecord | null>;
  snapshot(id: number): Promise<Buffer | null>;
  setClip(id: number, clipId: number): Promise<SceneEventRecord | null>;
  /** Ends every event still open (a gateway that stopped left them so): returns how many. */
  endOpen(at: number): Promise<number>;
}

/** A clip cut from a camera's ring buffer; `file` is relative to the evidence directory. */
export interface EvidenceRecord {
  id: number;
  zone: string;
  eventId: number | null;
  camera: string | null;
  startedAt: number;
  endedAt: number;
  file: string;
  bytes: number;
  sha256: string;
  /** Legal hold: retention never deletes it. */
  held: boolean;
  createdAt: number;
  createdBy: string;
}

export interface EvidenceRepository {
  create(record: Omit<EvidenceRecord, 'id' | 'held'>): Promise<EvidenceRecord>;
  byId(id: number): Promise<EvidenceRecord | null>;
  /** Newest first. */
  list(filter: { zone?: string; eventId?: number; before?: number; limit: number }): Promise<EvidenceRecord[]>;
  /** Every clip of the zone, oldest first (for retention). */
  ofZone(zone: string): Promise<EvidenceRecord[]>;
  setHeld(id: number, held: boolean): Promise<EvidenceRecord | null>;
  remove(id: number): Promise<boolean>;
  /** The camera's own retention (null: the gateway's default). */
  retention(zone: string): Promise<{ days: number | null; megabytes: number | null }>;
  setRetention(zone: string, days: number | null, megabytes: number | null): Promise<void>;
}

/** What a caller asks to record; the store adds id, time, the chain hashes and the hash format. */
export type AuditDraft = AuditEntryDraft;
export type AuditRecord = AuditEntry;

export interface AuditAnchor {
  /** Id and hash of the last pruned entry: the first kept entry must chain from it. */
  lastId: number;
  lastHash: string;
  prunedAt: string;
}

/** A view or a publish in progress, kept so a crash can be closed in the trail at next start. */
export interface LiveActivity {
  id: string;
  kind: 'view' | 'publish';
  actor: string;
  actorRole: string;
  zone: string;
  address: string;
  userAgent: string;
  startedAt: number;
  /** The gateway node holding it ('' on a single box): a cluster closes only a dead node's activities. */
  node: string;
}

export interface AuditFilter {
  actor?: string;
  zone?: string;
  kind?: string;
  from?: number;
  to?: number;
  before?: number;
  /** Entries with an id above this (the oldest row of what a reader has on screen, minus one). */
  after?: number;
  limit: number;
}

export interface UserRepository {
  create(user: Omit<UserRecord, 'id'>): Promise<UserRecord>;
  byId(id: number): Promise<UserRecord | null>;
  byUsername(username: string): Promise<UserRecord | null>;
  list(): Promise<UserRecord[]>;
  update(id: number, change: Partial<Pick<UserRecord, 'passwordHash' | 'role' | 'disabled'>>): Promise<UserRecord | null>;
  count(): Promise<number>;
  countActiveAdmins(): Promise<number>;
}

export interface SessionRepository {
  create(session: Omit<SessionRecord, 'id' | 'revokedAt' | 'revokedReason'> & { tokenHash: Buffer }): Promise<SessionRecord>;
  byTokenHash(tokenHash: Buffer): Promise<SessionRecord | null>;
  byId(id: number): Promise<SessionRecord | null>;
  /** Sessions not revoked and not past their expiry. */
  listActive(now: number): Promise<SessionRecord[]>;
  touch(id: number, lastSeenAt: number): Promise<void>;
  revoke(id: number, at: number, reason: string): Promise<boolean>;
  revokeAllOfUser(userId: number, at: number, reason: string): Promise<number[]>;
}

export interface GrantRepository {
  create(grant: Omit<GrantRecord, 'id'>): Promise<GrantRecord>;
  byId(id: number): Promise<GrantRecord | null>;
  list(): Promise<GrantRecord[]>;
  ofUser(userId: number): Promise<GrantRecord[]>;
  remove(id: number): Promise<boolean>;
}

export interface ApiKeyRepository {
  create(key: Omit<ApiKeyRecord, 'id' | 'revokedAt' | 'lastUsedAt'> & { keyHash: Buffer }): Promise<ApiKeyRecord>;
  byHash(keyHash: Buffer): Promise<ApiKeyRecord | null>;
  byId(id: number): Promise<ApiKeyRecord | null>;
  list(): Promise<ApiKeyRecord[]>;
  revoke(id: number, at: number): Promise<boolean>;
  markUsed(id: number, at: number): Promise<void>;
}

export interface MediaTokenRepository {
  create(token: Omit<MediaTokenRecord, 'id' | 'revokedAt' | 'lastUsedAt'> & { tokenHash: Buffer }): Promise<MediaTokenRecord>;
  byHash(tokenHash: Buffer): Promise<MediaTokenRecord | null>;
  byId(id: number): Promise<MediaTokenRecord | null>;
  list(): Promise<MediaTokenRecord[]>;
  revoke(id: number, at: number): Promise<boolean>;
  markUsed(id: number, at: number): Promise<void>;
}

export interface CameraSourceRepository {
  /** Fails on a zone that already has one. */
  create(source: Omit<CameraSourceRecord, 'id'>): Promise<CameraSourceRecord>;
  byId(id: number): Promise<CameraSourceRecord | null>;
  list(): Promise<CameraSourceRecord[]>;
  update(id: number, change: Partial<Omit<CameraSourceRecord, 'id' | 'zone' | 'createdAt' | 'createdBy'>>): Promise<CameraSourceRecord | null>;
  remove(id: number): Promise<boolean>;
}

export interface AuditRepository {
  /**
   * Appends one entry chained to the previous one, atomically with the live-activity change
   * it records; resolves once committed.
   */
  append(draft: AuditDraft, activity?: { open?: LiveActivity; close?: string }): Promise<AuditRecord>;
  query(filter: AuditFilter): Promise<AuditRecord[]>;
  /** Every entry in id order, for verification and export. */
  all(filter?: Omit<AuditFilter, 'limit'>): AsyncIterable<AuditRecord>;
  anchor(): Promise<AuditAnchor | null>;
  /** Id and hash of the newest entry ever appended (null before the first): what the chain must end with. */
  head(): Promise<{ lastId: number; lastHash: string } | null>;
  /** Deletes entries older than `before`, records the anchor, returns how many went. */
  prune(before: string): Promise<number>;
  liveActivities(): Promise<LiveActivity[]>;
}

export interface Store {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly grants: GrantRepository;
  readonly keys: ApiKeyRepository;
  readonly mediaTokens: MediaTokenRepository;
  readonly cameraSources: CameraSourceRepository;
  readonly wallLayouts: WallLayoutRepository;
  readonly cameraProfiles: CameraProfileRepository;
  readonly sceneEvents: SceneEventRepository;
  readonly evidence: EvidenceRepository;
  readonly audit: AuditRepository;
  /** A counter bumped by every change to people, sessions, keys, grants or cameras (polled by gateways). */
  changeSeq(): Promise<number>;
  bumpChangeSeq(): Promise<void>;
  /** A rate limiter (rate-limiter-flexible) kept in this engine, so counters survive a restart and, on PostgreSQL, are shared by every node. */
  rateLimiter(options: RateLimitOptions): RateLimiterAbstract;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
