import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../shared/index.ts';

const iceServerSchema = z.strictObject({
  urls: z.union([z.string().regex(/^(stun|stuns|turn|turns):/), z.array(z.string().regex(/^(stun|stuns|turn|turns):/)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** The one configuration schema: every option, its type and its default live here. */
export const configSchema = z.strictObject({
  host: z.string().min(1).default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8443),
  dataDir: z.string().min(1).default('./data'),
  /** PEM files; when both are absent a self-signed certificate is made in dataDir on first start. */
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  /** Directory of the built web bundle. */
  webRoot: z.string().min(1).default('./dist/web'),
  /** Origins allowed to open a signalling connection besides the gateway's own. */
  allowedOrigins: z.array(z.url()).default([]),
  /** Handed to clients at connect; empty on a LAN so ICE wastes no time on unreachable servers. */
  iceServers: z.array(iceServerSchema).default([]),
  /** `relay` makes every client send media through TURN only (needs `turn`). */
  iceTransportPolicy: z.enum(['all', 'relay']).default('all'),
  /** coturn with `use-auth-secret`: clients get TURN REST credentials (HMAC-SHA1) that expire. */
  turn: z.strictObject({
    urls: z.array(z.string().regex(/^turns?:/)).min(1),
    /** coturn's `static-auth-secret`; never sent to clients. */
    secret: z.string().min(16),
    /** Credential lifetime; clients get fresh ones before it runs out. */
    ttlSeconds: z.number().int().min(10).max(86_400).default(3600),
  }).optional(),
  session: z.strictObject({
    /** An operator session ends this long after login, however busy. */
    lifetimeHours: z.number().positive().max(24 * 30).default(12),
    /** A session with no request and no live console for this long ends. */
    idleMinutes: z.number().positive().max(24 * 60).default(30),
  }).prefault({}),
  audit: z.strictObject({
    /** Entries older than this are pruned (an anchor keeps the chain verifiable). */
    retentionDays: z.number().int().min(1).max(36_500).default(365),
  }).prefault({}),
  /** Password of the first admin, used only when the store has no users (env ADMIN_PASSWORD). */
  adminPassword: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seconds given to clients and in-flight work on SIGTERM. */
  shutdownGraceSeconds: z.number().positive().max(60).default(5),
}).refine((c) => (c.tlsCert === undefined) === (c.tlsKey === undefined), {
  message: 'tlsCert and tlsKey must be given together',
  path: ['tlsCert'],
}).refine((c) => c.iceTransportPolicy === 'all' || c.turn !== undefined || c.iceServers.some((s) => [s.urls].flat().some((u) => u.startsWith('turn'))), {
  message: 'iceTransportPolicy "relay" needs a TURN server (turn or a turn: entry in iceServers)',
  path: ['iceTransportPolicy'],
});

export type GatewayConfig = Readonly<z.infer<typeof configSchema>>;
export type GatewayConfigInput = z.input<typeof configSchema>;
