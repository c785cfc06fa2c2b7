import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { createCameraSchema } from '../shared/index.ts';

/**
 * A site's edge node: the central gateway it publishes to, the key it presents (one edge key bound
 * to a zone pattern, or a key per camera), and the cameras it pulls on the site's network.
 */
export const edgeConfigSchema = z.strictObject({
  gateway: z.url({ protocol: /^https$/ }),
  /** A camera key (vk_…) whose zone pattern covers every camera below that has no key of its own. */
  key: z.string().min(8).optional(),
  /** PEM file of the CA that signed the gateway's certificate; otherwise the system's CAs. */
  caFile: z.string().optional(),
  /** Accept any certificate (a lab gateway with a self-signed one): never on a real network. */
  insecure: z.boolean().default(false),
  /** The site's address that viewers (or the central relay) reach this node's media at. */
  listenAddress: z.string().regex(/^[0-9.]+$/, 'an IPv4 address').optional(),
  announcedAddress: z.string().regex(/^[0-9.]+$/, 'an IPv4 address').optional(),
  portMin: z.number().int().min(1024).max(65535).optional(),
  portMax: z.number().int().min(1024).max(65535).optional(),
  maxBitrateKbps: z.number().int().min(100).max(50_000).default(4_000),
  cameras: z.array(createCameraSchema.extend({ key: z.string().min(8).optional() })).min(1),
}).refine((c) => c.cameras.every((camera) => camera.key ?? c.key), { message: 'every camera needs a key: its own, or the edge key', path: ['key'] })
  .refine((c) => new Set(c.cameras.map((camera) => camera.zone)).size === c.cameras.length, { message: 'one camera per zone', path: ['cameras'] });

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;

/** The file's settings, with `--gateway` and `--key` from the command line over them. */
export function loadEdgeConfig(file: string, overrides: { gateway?: string; key?: string }): EdgeConfig {
  const text = readFileSync(file, 'utf8');
  const raw = (parse(text) ?? {}) as Record<string, unknown>;
  const parsed = edgeConfigSchema.safeParse({ ...raw, ...(overrides.gateway ? { gateway: overrides.gateway } : {}), ...(overrides.key ? { key: overrides.key } : {}) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') || 'config'}: ${issue?.message}`);
  }
  return parsed.data;
}
