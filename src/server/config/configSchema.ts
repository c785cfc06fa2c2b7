import { z } from 'zod';
import { createCameraSchema, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../shared/index.ts';

/**
 * What the generated docs, `--help`, the environment names and `vigil config print` know of
 * a leaf. `secret` values are never accepted as flags (a command line is visible to every
 * user of the host) and are masked when printed.
 */
export interface OptionMeta extends Record<string, unknown> {
  description: string;
  secret?: boolean;
  /** Placeholder shown in docs and help, e.g. `<file>`. */
  example?: string;
  /** Not a secret as a whole (printed, masked field by field) but carries some: no flag either. */
  holdsSecrets?: boolean;
}

const option = (description: string, extra: Omit<OptionMeta, 'description'> = {}): OptionMeta => ({ description, ...extra });

const iceUrl = z.string().regex(/^(stun|stuns|turn|turns):/, 'must start with stun:, stuns:, turn: or turns:');
const iceServerSchema = z.strictObject({
  urls: z.union([iceUrl, z.array(iceUrl).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** An IPv4/IPv6 address or a CIDR block such as `10.0.0.0/8`. */
const addressOrBlock = z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'must be an IP address or a CIDR block');

/** The one configuration schema: every option, its type, its default and its documentation. */
export const configSchema = z.strictObject({
  host: z.string().min(1).default('0.0.0.0').meta(option('Address to listen on.', { example: '<address>' })),
  port: z.number().int().min(0).max(65535).default(8443).meta(option('HTTPS port (0 picks a free one).', { example: '<number>' })),
  dataDir: z.string().min(1).default('./data').meta(option('Directory for the certificate and the SQLite store (`vigil.db`: people, keys, grants, audit trail).', { example: '<path>' })),
  tlsCert: z.string().optional().meta(option('PEM certificate file; with `tlsKey`. Without both, a self-signed certificate is made in `dataDir` on first start.', { example: '<file>' })),
  tlsKey: z.string().optional().meta(option('PEM private key file for `tlsCert`.', { example: '<file>' })),
  webRoot: z.string().min(1).default('./dist/web').meta(option('Directory of the built web bundle.', { example: '<path>' })),
  allowedOrigins: z.array(z.url()).default([]).meta(option('Origins, besides the gateway\'s own, allowed to call the API and open a signalling connection (comma separated in the environment).', { example: '<url,…>' })),
  trustedProxies: z.array(addressOrBlock).default([]).meta(option('Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` names the client; the audit trail and the rate limits use that address.', { example: '<address,…>' })),
  iceServers: z.array(iceServerSchema).default([]).meta(option('STUN/TURN servers handed to clients at connect, as JSON in the environment. Empty on a LAN, so ICE wastes no time on unreachable servers.', { example: '<json>' })),
  iceTransportPolicy: z.enum(['all', 'relay']).default('all').meta(option('`relay` sends every client\'s media through TURN only (needs `turn` or a TURN entry in `iceServers`).')),
  turn: z.strictObject({
    urls: z.array(z.string().regex(/^turns?:/, 'must start with turn: or turns:')).min(1).meta(option('coturn URLs handed to clients (comma separated in the environment).', { example: '<url,…>' })),
    secret: z.string().min(16).meta(option('coturn\'s `static-auth-secret` (`use-auth-secret`); clients get TURN REST credentials made with it, never the secret.', { secret: true })),
    ttlSeconds: z.number().int().min(10).max(86_400).default(3600).meta(option('Lifetime of a TURN credential; clients get fresh ones at 75 % of it.', { example: '<seconds>' })),
  }).optional(),
  session: z.strictObject({
    lifetimeHours: z.number().positive().max(24 * 30).default(12).meta(option('An operator session ends this long after login, however busy.', { example: '<hours>' })),
    idleMinutes: z.number().positive().max(24 * 60).default(30).meta(option('A session with no request and no live console for this long ends.', { example: '<minutes>' })),
  }).prefault({}),
  audit: z.strictObject({
    retentionDays: z.number().int().min(1).max(36_500).default(365).meta(option('Audit entries older than this are pruned daily; an anchor keeps the chain verifiable.', { example: '<days>' })),
  }).prefault({}),
  metrics: z.strictObject({
    token: z.string().min(24).optional().meta(option('Bearer token that opens `GET /metrics` from any address.', { secret: true })),
    allowFrom: z.array(addressOrBlock).default(['127.0.0.1', '::1']).meta(option('Addresses or CIDR blocks that may read `GET /metrics` without the token.', { example: '<address,…>' })),
  }).prefault({}),
  database: z.strictObject({
    url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional().meta(option('PostgreSQL connection URL (`postgres://user:password@host:5432/vigil`). When set, people, sessions, keys, grants and the audit chain live there, shared by every gateway node (the login and camera-key limits too, unless `redis.url` keeps them in Redis); when absent, in SQLite in `dataDir`.', { secret: true })),
  }).prefault({}),
  redis: z.strictObject({
    url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional().meta(option('Redis connection URL. When set, gateway nodes relay signalling to each other through it, keep zone presence there (so `ZONE_BUSY` holds across nodes) and keep rate limits there.', { secret: true })),
  }).prefault({}),
  mqtt: z.strictObject({
    url: z.string().regex(/^(mqtts?|wss?):\/\//, 'must be an mqtt://, mqtts://, ws:// or wss:// URL').optional().meta(option('MQTT broker URL (`mqtt://host:1883`, `mqtts://` for TLS). When set, the gateway publishes motion and tamper events there in Home Assistant\'s and Frigate\'s conventions (topics in README "Events and MQTT"), with Home Assistant discovery.', { secret: true })),
    username: z.string().min(1).max(256).optional().meta(option('Broker user name.', { example: '<name>' })),
    password: z.string().min(1).max(1024).optional().meta(option('Broker password.', { secret: true })),
    caFile: z.string().min(1).optional().meta(option('PEM file of the certificate authority that signed an `mqtts://` broker\'s certificate (the system\'s authorities when absent).', { example: '<file>' })),
    topicPrefix: z.string().regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'topic words of letters, digits, _ and -').default('vigil').meta(option('First level of every topic Vigil publishes (`vigil/available`, `vigil/<camera>/motion`, `vigil/events`).', { example: '<prefix>' })),
    discoveryPrefix: z.string().regex(/^[A-Za-z0-9_-]+$/, 'one topic word').default('homeassistant').meta(option('Home Assistant\'s discovery prefix: each camera\'s motion and tamper sensors are announced under it.', { example: '<prefix>' })),
    discovery: z.boolean().default(true).meta(option('Announce each camera\'s binary sensors to Home Assistant (MQTT discovery).')),
    queueLimit: z.number().int().min(10).max(100_000).default(1_000).meta(option('Messages held while the broker is unreachable; past it the oldest are dropped (counted in `vigil_mqtt_dropped_total`). Signalling never waits for the broker.', { example: '<messages>' })),
  }).prefault({}),
  evidence: z.strictObject({
    preRollSeconds: z.number().int().min(0).max(20).default(5).meta(option('Seconds before an event (or an operator\'s click) a clip starts; from the camera\'s ring buffer of ~30 s.', { example: '<seconds>' })),
    postRollSeconds: z.number().int().min(1).max(20).default(5).meta(option('Seconds after the event a clip goes on.', { example: '<seconds>' })),
    retentionDays: z.number().int().min(1).max(3_650).default(30).meta(option('Clips older than this are deleted (unless under legal hold); a camera may have its own.', { example: '<days>' })),
    maxMegabytesPerCamera: z.number().int().min(1).max(10_000_000).default(2_048).meta(option('A camera\'s clips may take this much disk; past it the oldest go first (never a held one); a camera may have its own.', { example: '<MB>' })),
    s3Bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name').optional().meta(option('Keep clips and their snapshots in this S3-compatible bucket instead of `<dataDir>/evidence` (uploaded once cut and hashed, read back through the gateway: every view is still checked and audited).', { example: '<bucket>' })),
    s3Endpoint: z.url({ protocol: /^https?$/ }).optional().meta(option('The S3-compatible service (MinIO, Ceph, Garage: `https://s3.example:9000`, path-style); AWS itself when absent.', { example: '<url>' })),
    s3Region: z.string().min(1).max(64).default('us-east-1').meta(option('The bucket\'s region.', { example: '<region>' })),
    s3AccessKeyId: z.string().min(1).max(256).optional().meta(option('Access key of the bucket\'s user (with `s3SecretAccessKey`); otherwise the SDK\'s usual chain (`AWS_ACCESS_KEY_ID`, an instance role).', { example: '<key id>' })),
    s3SecretAccessKey: z.string().min(1).max(1024).optional().meta(option('Its secret.', { secret: true })),
    s3Prefix: z.string().regex(/^([A-Za-z0-9_.-]+\/)*$/, 'folder names ending in /').default('').meta(option('Prepended to every key (`vigil/`), so one bucket can serve several gateways.', { example: '<prefix>/' })),
  }).prefault({}),
  media: z.strictObject({
    policy: z.enum(['p2p', 'relay', 'auto']).default('auto').meta(option('How viewers get a camera\'s video: `p2p` from the camera itself (one encode per viewer), `relay` through the gateway\'s media relay (the camera encodes once), `auto` peer to peer up to `p2pMaxViewers` viewers, then through the relay. In a cluster (`redis.url`) a zone\'s relay runs on the node of its camera, the viewer count is the whole cluster\'s, and viewers on other nodes connect to that node\'s relay address (set the same policy on every node).')),
    p2pMaxViewers: z.number().int().min(0).max(16).default(2).meta(option('With `policy: auto`, the most viewers a camera serves itself; one more moves the zone to the relay.', { example: '<number>' })),
    workers: z.number().int().min(0).max(64).default(0).meta(option('Relay worker processes; 0 starts one per core.', { example: '<number>' })),
    listenAddress: z.string().regex(/^[0-9.]+$/, 'must be an IPv4 address').optional().meta(option('IPv4 address the relay\'s UDP sockets bind to; all interfaces when absent.', { example: '<address>' })),
    announcedAddress: z.string().regex(/^[0-9.]+$/, 'must be an IPv4 address').optional().meta(option('Address written into the relay\'s ICE candidates instead of `listenAddress` (1:1 NAT, e.g. a cloud host\'s public address).', { example: '<address>' })),
    portMin: z.number().int().min(1024).max(65535).optional().meta(option('Lowest UDP port of the relay (with `portMax`); any free port when absent.', { example: '<port>' })),
    portMax: z.number().int().min(1024).max(65535).optional().meta(option('Highest UDP port of the relay.', { example: '<port>' })),
    maxBitrateKbps: z.number().int().min(100).max(50_000).default(2500).meta(option('The bitrate a camera is told it may send the relay (REMB, and `b=AS` in the relay\'s answer).', { example: '<kbit/s>' })),
  }).prefault({}),
  cameras: z.array(createCameraSchema).default([]).refine((list) => new Set(list.map((c) => c.zone)).size === list.length, 'one camera per zone').meta(option('IP cameras the gateway pulls (RTSP, H.264 passed through): each `{ zone, name, url, username, password, transport: tcp|udp, transcode, onvif: { host, port, profile } }` (`onvif`: where it answers ONVIF, so operators with the control right can steer it), as JSON in the environment. Made to match at every start: cameras added here are changed and removed here only; their passwords are sealed in the store (see `VIGIL_SECRET_KEY`) and masked in `config print`; never a command-line flag.', { example: '<json>', holdsSecrets: true })),
  adminPassword: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH).optional().meta(option('Password of the first admin, used only while the store has no active admin; otherwise one is generated and printed once.', { secret: true })),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').meta(option('Least severe log level written (JSON lines on stdout).')),
  shutdownGraceSeconds: z.number().positive().max(60).default(5).meta(option('On SIGTERM, how long clients and in-flight audit writes get before the process exits.', { example: '<seconds>' })),
}).refine((c) => (c.tlsCert === undefined) === (c.tlsKey === undefined), {
  message: 'tlsCert and tlsKey must be given together',
  path: ['tlsCert'],
}).refine((c) => (c.media.portMin === undefined) === (c.media.portMax === undefined) && (c.media.portMin ?? 0) < (c.media.portMax ?? 1), {
  message: 'media.portMin and media.portMax must be given together, lowest first',
  path: ['media', 'portMin'],
}).refine((c) => c.iceTransportPolicy === 'all' || c.turn !== undefined || c.iceServers.some((s) => [s.urls].flat().some((u) => u.startsWith('turn'))), {
  message: 'iceTransportPolicy "relay" needs a TURN server (turn or a turn: entry in iceServers)',
  path: ['iceTransportPolicy'],
});

export type GatewayConfig = Readonly<z.infer<typeof configSchema>>;
export type GatewayConfigInput = z.input<typeof configSchema>;
