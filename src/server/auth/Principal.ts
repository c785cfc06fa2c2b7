import type { AccountRole } from '../../shared/index.ts';

/** Who a request or connection was authenticated as; the zone rights follow from it, never from the request. */
export type Principal =
  | { kind: 'user'; userId: number; username: string; role: AccountRole; sessionId: number; expiresAt: number }
  | { kind: 'camera'; keyId: number; label: string; zonePattern: string };

export const principalName = (p: Principal): string => (p.kind === 'user' ? p.username : `camera:${p.label}`);
export const principalRole = (p: Principal): string => (p.kind === 'user' ? p.role : 'camera');
