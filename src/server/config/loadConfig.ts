import { parseArgs } from 'node:util';
import { configSchema, type GatewayConfig, type GatewayConfigInput } from './configSchema.ts';

/** A start-up problem the person running the gateway can fix; printed as one sentence. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const flagOptions = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const USAGE = `Usage: npm start -- [options]

  --host <address>     listen address (env HOST, default 0.0.0.0)
  --port <number>      HTTPS port (env PORT, default 8443)
  --data-dir <path>    data directory for the certificate (env DATA_DIR, default ./data)
  --tls-cert <file>    PEM certificate (env TLS_CERT); with --tls-key
  --tls-key <file>     PEM private key (env TLS_KEY)
  --log-level <level>  fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL, default info)

Environment only (secrets never go on a command line):
  ADMIN_PASSWORD             password of the first admin when the store has no users
  TURN_URLS, TURN_SECRET     coturn URLs (comma separated) and its static-auth-secret
  TURN_TTL_SECONDS           TURN credential lifetime (default 3600)
  ICE_TRANSPORT_POLICY       all | relay (relay forces media through TURN)
  SESSION_LIFETIME_HOURS     operator session lifetime (default 12)
  SESSION_IDLE_MINUTES       idle timeout without a live console (default 30)
  AUDIT_RETENTION_DAYS       audit entries kept (default 365)

Commands: npm run vigil -- user|key|audit … (npm run vigil -- --help)
  -h, --help           show this help`;

export interface LoadedConfig {
  config: GatewayConfig;
  help: boolean;
}

function parsePort(raw: string, source: string): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${source} must be a port number from 0 to 65535, not "${raw}".`);
  return Number(raw);
}

function parseNumber(raw: string, source: string): number {
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(`${source} must be a number, not "${raw}".`);
  return Number(raw);
}

/** Layers: defaults < environment < flags. Validated once, frozen. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): LoadedConfig {
  let flags: ReturnType<typeof parseArgs<{ options: typeof flagOptions; strict: true; allowPositionals: false }>>['values'];
  try {
    flags = parseArgs({ args: [...argv], options: flagOptions, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.replace(/\.$/, '')}. Run with --help to see the options.`);
  }
  const input: GatewayConfigInput = {};
  const host = flags.host ?? env.HOST;
  if (host !== undefined) input.host = host;
  if (flags.port !== undefined) input.port = parsePort(flags.port, '--port');
  else if (env.PORT !== undefined) input.port = parsePort(env.PORT, 'PORT');
  const dataDir = flags['data-dir'] ?? env.DATA_DIR;
  if (dataDir !== undefined) input.dataDir = dataDir;
  const tlsCert = flags['tls-cert'] ?? env.TLS_CERT;
  if (tlsCert !== undefined) input.tlsCert = tlsCert;
  const tlsKey = flags['tls-key'] ?? env.TLS_KEY;
  if (tlsKey !== undefined) input.tlsKey = tlsKey;
  if (env.ADMIN_PASSWORD !== undefined) input.adminPassword = env.ADMIN_PASSWORD;
  if (env.ICE_TRANSPORT_POLICY !== undefined) input.iceTransportPolicy = env.ICE_TRANSPORT_POLICY as GatewayConfigInput['iceTransportPolicy'];
  if (env.TURN_SECRET !== undefined || env.TURN_URLS !== undefined) {
    input.turn = {
      urls: (env.TURN_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean),
      secret: env.TURN_SECRET ?? '',
      ...(env.TURN_TTL_SECONDS !== undefined ? { ttlSeconds: parseNumber(env.TURN_TTL_SECONDS, 'TURN_TTL_SECONDS') } : {}),
    };
  }
  const session: NonNullable<GatewayConfigInput['session']> = {};
  if (env.SESSION_LIFETIME_HOURS !== undefined) session.lifetimeHours = parseNumber(env.SESSION_LIFETIME_HOURS, 'SESSION_LIFETIME_HOURS');
  if (env.SESSION_IDLE_MINUTES !== undefined) session.idleMinutes = parseNumber(env.SESSION_IDLE_MINUTES, 'SESSION_IDLE_MINUTES');
  input.session = session;
  if (env.AUDIT_RETENTION_DAYS !== undefined) input.audit = { retentionDays: parseNumber(env.AUDIT_RETENTION_DAYS, 'AUDIT_RETENTION_DAYS') };
  const logLevel = flags['log-level'] ?? env.LOG_LEVEL;
  if (logLevel !== undefined) input.logLevel = logLevel as GatewayConfigInput['logLevel'];
  return { config: validateConfig(input), help: flags.help === true };
}

/** Validates and freezes; a bad value becomes one sentence naming the key. */
export function validateConfig(input: GatewayConfigInput): GatewayConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || 'configuration';
    throw new ConfigError(`Invalid configuration "${key}": ${issue.message}.`);
  }
  return Object.freeze(parsed.data);
}

