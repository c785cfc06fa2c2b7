/**
 * Video walls the gateway keeps: each operator's wall as last left (restored on sign-in and
 * reload), their saved layouts, and layouts an admin shares with every operator. A layout is a
 * grid and zones in order; an operator sees a shared layout's zones only where it may watch them.
 */
import { z } from 'zod';
import { Limits } from './limits.ts';
import { zoneIdSchema } from './zoneId.ts';

export const WALL_GRIDS = ['auto', '1', '2', '3', '4'] as const;
export type WallGrid = (typeof WALL_GRIDS)[number];

export const wallSchema = z.strictObject({
  grid: z.enum(WALL_GRIDS),
  zones: z.array(zoneIdSchema).max(Limits.maxWatchedZones).refine((zones) => new Set(zones).size === zones.length, 'each zone once'),
});
export type Wall = z.infer<typeof wallSchema>;

export const layoutNameSchema = z.string().trim().min(1).max(40).regex(/^[\p{L}\p{N} _.-]+$/u, 'letters, digits, spaces and _ . - only');
export const layoutParamSchema = z.strictObject({ name: layoutNameSchema });

export const saveLayoutSchema = wallSchema.extend({
  /** Admins only: every operator sees it (with the zones each may watch), or those of `audience`. */
  shared: z.boolean().default(false),
  /** A shared layout for these operators only (usernames); absent or empty: for every operator. */
  audience: z.array(z.string().trim().toLowerCase().min(1).max(64)).max(200).default([]),
});
export type SaveLayoutRequest = z.input<typeof saveLayoutSchema>;

export const layoutQuerySchema = z.strictObject({ shared: z.enum(['true', 'false']).optional() });

export interface LayoutView extends Wall {
  name: string;
  shared: boolean;
  /** Who a shared layout is for (shown to admins; null: every operator). */
  audience: string[] | null;
  updatedAt: string;
  updatedBy: string;
}
