/**
 * The HTTP API under /api: request schemas (zod, enforced by the server, reused by the pages for
 * form validation) and response shapes. Errors are `{ error: { code, message, retryAfterSeconds? } }`
 * with the HTTP status from the error catalogue. Every state-changing request is a JSON POST,
 * PATCH or DELETE from our own origin (checked on the server); GET never changes anything.
 * Documented in docs/protocol.md ("HTTP API").
 */
import { z } from 'zod';
import type { AuditEntry } from './auditCatalogue.ts';
import type { LayoutView, SaveLayoutRequest, Wall } from './walls.ts';
import type { CameraConnection, CameraProbe, CameraStatus, CameraView, CreateCameraRequest, DiscoveredCamera, DiscoveryRequest, EdgeCameraView, NetworkInterfaceView, OnvifDescription, OnvifTargetRequest } from './cameraSources.ts';
import type { ProtocolError } from './errors.ts';
import { ZONE_ID_MAX_LENGTH, zoneIdSchema } from './zoneId.ts';

export const AccountRole = {
  ADMIN: 'admin',
  OPERATOR: 'operator',
  AUDITOR: 'auditor',
} as const;
export type AccountRole = (typeof AccountRole)[keyof typeof AccountRole];
export const ACCOUNT_ROLES = Object.values(AccountRole) as [AccountRole, ...AccountRole[]];

/** OWASP ASVS 2.1: at least 12 characters, at least 64 allowed; we allow 128. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export const usernameSchema = z.string().trim().min(2).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, dot, dash, underscore');
export const passwordSchema = z.string().min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH);

/**
 * A zone pattern: a zone id, or a zone-id prefix ending in `*` (`CBD-*`), or `*` for every zone.
 * @example zonePatternSchema.parse('CBD-*')
 */
export const zonePatternSchema = z.string().trim().toUpperCase().max(ZONE_ID_MAX_LENGTH).regex(/^(?:\*|[A-Z0-9]+(?:-[A-Z0-9]+)*(?:-?\*)?)$/, 'a zone id, a prefix ending in * (CBD-*), or *');

/**
 * True when `zone` is covered by `pattern`.
 * @example zoneMatches('CBD-*', 'CBD-TRAFFIC-01') // true
 * @example zoneMatches('CBD-*', 'CBDX-01') // false: CBD-* needs the hyphen
 */
export function zoneMatches(pattern: string, zone: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return zone.startsWith(pattern.slice(0, -1));
  return zone === pattern;
}

const isoTime = z.iso.datetime({ offset: true });

export const loginRequestSchema = z.strictObject({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});

export const createUserSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  role: z.enum(ACCOUNT_ROLES),
});

export const updateUserSchema = z.strictObject({
  password: passwordSchema.optional(),
  role: z.enum(ACCOUNT_ROLES).optional(),
  disabled: z.boolean().optional(),
}).refine((u) => Object.keys(u).length > 0, 'nothing to change');

export const createGrantSchema = z.strictObject({
  userId: z.number().int().positive(),
  pattern: zonePatternSchema,
  /** The right to steer the zones' cameras (PTZ) as well as watch them; watch only by default. */
  control: z.boolean().default(false),
  /** Absent: the grant lasts until removed. */
  expiresAt: isoTime.optional(),
});

export const createKeySchema = z.strictObject({
  label: z.string().trim().min(1).max(80),
  zonePattern: zonePatternSchema,
});

/** Who a media token admits: a WHEP player (`viewer`) or a WHIP encoder (`publisher`). */
export const MEDIA_TOKEN_KINDS = ['viewer', 'publisher'] as const;
export type MediaTokenKind = (typeof MEDIA_TOKEN_KINDS)[number];

export const createMediaTokenSchema = z.strictObject({
  kind: z.enum(MEDIA_TOKEN_KINDS),
  label: z.string().trim().min(1).max(80),
  zonePattern: zonePatternSchema,
  /** Every token ends: a WHEP player or WHIP encoder is given a new one before it does. */
  expiresAt: isoTime,
});

export const auditQuerySchema = z.strictObject({
  actor: z.string().max(64).optional(),
  zone: z.string().max(ZONE_ID_MAX_LENGTH).optional(),
  kind: z.string().max(40).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  /** Page backwards: entries with an id below this. */
  before: z.coerce.number().int().positive().optional(),
  /** Entries with an id above this: with `before`, the CSV export of exactly the rows on screen. */
  after: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Motion and tamper events, newest first, of the zones the caller may watch. */
export const sceneEventQuerySchema = z.strictObject({
  zone: z.string().max(ZONE_ID_MAX_LENGTH).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Evidence clips, newest first, of the zones the caller may watch. */
export const evidenceQuerySchema = z.strictObject({
  zone: z.string().max(ZONE_ID_MAX_LENGTH).optional(),
  event: z.coerce.number().int().positive().optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
/** An operator's click: a clip of the zone's last seconds (pre-roll) and the next few (post-roll). */
export const saveClipSchema = z.strictObject({ zone: zoneIdSchema });
export const clipQuerySchema = z.strictObject({ download: z.enum(['0', '1']).optional() });
export const holdSchema = z.strictObject({ held: z.boolean() });
export const retentionSchema = z.strictObject({
  days: z.number().int().min(1).max(3_650).nullable(),
  megabytes: z.number().int().min(1).max(10_000_000).nullable(),
});

/** A zone's evidence recording: its camera keeps a ring buffer (a browser camera through the relay). */
export const recordingSchema = z.strictObject({ record: z.boolean() });

/** A clip as the API lists it. */
export interface EvidenceView {
  id: number;
  zone: string;
  eventId: number | null;
  camera: string | null;
  startedAt: string;
  endedAt: string;
  bytes: number;
  sha256: string;
  held: boolean;
  createdAt: string;
  createdBy: string;
}

export const idParamSchema = z.strictObject({ id: z.coerce.number().int().positive() });

export type LoginRequest = z.infer<typeof loginRequestSchema>;
export type CreateUserRequest = z.infer<typeof createUserSchema>;
export type UpdateUserRequest = z.infer<typeof updateUserSchema>;
export type CreateGrantRequest = z.infer<typeof createGrantSchema>;
export type CreateKeyRequest = z.infer<typeof createKeySchema>;
export type CreateMediaTokenRequest = z.infer<typeof createMediaTokenSchema>;
export type AuditQuery = z.input<typeof auditQuerySchema>;

// ---------------------------------------------------------------- responses

export interface ApiErrorBody {
  error: ProtocolError & { retryAfterSeconds?: number };
}

export interface UserView {
  id: number;
  username: string;
  role: AccountRole;
  disabled: boolean;
  createdAt: string;
}

/** GET /api/users: an account as the admin page lists it. */
export interface AdminUserView extends UserView {
  /** Failed sign-ins lock the account (from anywhere, or from where it was tried) until then; null when not locked. */
  lockedUntil: string | null;
}

/** GET /api/auth/me, POST /api/auth/login */
export interface MeResponse {
  user: UserView;
  session: { expiresAt: string; idleTimeoutSeconds: number };
  /** An operator's own zone grants and when each ends (null: until removed), so the console can warn before one does. */
  grants: { pattern: string; expiresAt: string | null }[];
}

export interface GrantView {
  id: number;
  userId: number;
  username: string;
  pattern: string;
  /** May steer the cameras too (PTZ), not only watch. */
  control: boolean;
  expiresAt: string | null;
  createdAt: string;
  createdBy: string;
}

export interface KeyView {
  id: number;
  label: string;
  zonePattern: string;
  /** First characters of the key, enough to tell keys apart; never the secret. */
  prefix: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface MediaTokenView {
  id: number;
  kind: MediaTokenKind;
  label: string;
  zonePattern: string;
  /** First characters of the token, enough to tell tokens apart; never the secret. */
  prefix: string;
  expiresAt: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface SessionView {
  id: number;
  userId: number;
  username: string;
  role: AccountRole;
  address: string;
  userAgent: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /** Live signalling connections of this session on this gateway. */
  sockets: number;
  current: boolean;
}

/** An entry as the API shows it: its predecessor's hash is the hash of the entry before it. */
export type AuditEntryView = Omit<AuditEntry, 'prevHash'>;

export interface ApiRoutes {
  'POST /api/auth/login': { body: LoginRequest; reply: MeResponse };
  'POST /api/auth/logout': { body: Record<string, never>; reply: Record<string, never> };
  'GET /api/auth/me': { reply: MeResponse };
  'GET /api/users': { reply: { users: AdminUserView[] } };
  'POST /api/users/:id/unlock': { body: Record<string, never>; reply: { user: UserView } };
  'POST /api/users': { body: CreateUserRequest; reply: { user: UserView } };
  'PATCH /api/users/:id': { body: UpdateUserRequest; reply: { user: UserView } };
  'GET /api/grants': { reply: { grants: GrantView[] } };
  'POST /api/grants': { body: CreateGrantRequest; reply: { grant: GrantView } };
  'DELETE /api/grants/:id': { reply: Record<string, never> };
  'GET /api/keys': { reply: { keys: KeyView[] } };
  /** `secret` is shown once and never again. */
  'POST /api/keys': { body: CreateKeyRequest; reply: { key: KeyView; secret: string } };
  'DELETE /api/keys/:id': { reply: { key: KeyView } };
  'GET /api/tokens': { reply: { tokens: MediaTokenView[] } };
  /** `secret` is shown once and never again. */
  'POST /api/tokens': { body: CreateMediaTokenRequest; reply: { token: MediaTokenView; secret: string } };
  'DELETE /api/tokens/:id': { reply: { token: MediaTokenView } };
  /** IP cameras with their ingest status; never a password. */
  /** `edge`: the cameras edge nodes pull at their sites, as they report them to this gateway. */
  'GET /api/cameras': { reply: { cameras: CameraView[]; edge: EdgeCameraView[] } };
  'POST /api/cameras': { body: CreateCameraRequest; reply: { camera: CameraView } };
  'DELETE /api/cameras/:id': { reply: Record<string, never> };
  /** Reaches the camera with these settings and reports what it sends; saves nothing. */
  'POST /api/cameras/test': { body: CameraConnection; reply: { probe: CameraProbe | null; status: CameraStatus; reason: string | null } };
  /** Asks an ONVIF camera for its make, model, clock and RTSP stream URL; saves nothing. */
  'POST /api/cameras/onvif': { body: OnvifTargetRequest; reply: { onvif: OnvifDescription | null; status: CameraStatus; reason: string | null } };
  /** The gateway's interfaces ONVIF discovery can probe on. */
  'GET /api/cameras/interfaces': { reply: { interfaces: NetworkInterfaceView[] } };
  /** WS-Discovery on one interface: the ONVIF cameras that answered within 3 s. */
  'POST /api/cameras/discover': { body: DiscoveryRequest; reply: { cameras: DiscoveredCamera[] } };
  /** The signed-in person's saved layouts and the shared ones, and their wall as last left. */
  'GET /api/layouts': { reply: { layouts: LayoutView[]; current: Wall | null } };
  'PUT /api/layouts/:name': { body: SaveLayoutRequest; reply: { layout: LayoutView } };
  'DELETE /api/layouts/:name': { reply: Record<string, never> };
  /** The wall as it is now (the console saves it as it changes). */
  'PUT /api/wall': { body: Wall; reply: Record<string, never> };
  'GET /api/sessions': { reply: { sessions: SessionView[] } };
  'DELETE /api/sessions/:id': { reply: Record<string, never> };
  'GET /api/audit': { query: AuditQuery; reply: { entries: AuditEntryView[]; nextBefore: number | null } };
  /** text/csv; same filters, up to 100,000 rows. */
  'GET /api/audit.csv': { query: AuditQuery; reply: string };
  'GET /api/audit/verify': { reply: { ok: boolean; checked: number; firstBadId: number | null; reason: string | null } };
}
