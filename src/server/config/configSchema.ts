import { z } from 'zod';

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
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seconds given to clients and in-flight work on SIGTERM. */
  shutdownGraceSeconds: z.number().positive().max(60).default(5),
}).refine((c) => (c.tlsCert === undefined) === (c.tlsKey === undefined), {
  message: 'tlsCert and tlsKey must be given together',
  path: ['tlsCert'],
});

export type GatewayConfig = Readonly<z.infer<typeof configSchema>>;
export type GatewayConfigInput = z.input<typeof configSchema>;
