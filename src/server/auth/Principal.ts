import type { AccountRole, MediaTokenKind } from '../../shared/index.ts';

/** Who a request or connection was authenticated as; the zone rights follow from it, never from the request. */
export type Principal =
  | { kind: 'user'; userId: number; username: string; role: AccountRole; sessionId: number; expiresAt: number }
  | { kind: 'camera'; keyId: number; label: string; zonePattern: string };

/**
 * A WHEP player or WHIP encoder, authenticated by its bearer token: it may watch (`viewer`) or
 * publish (`publisher`) the zones of the token's pattern until the token expires or is revoked.
 */
export type TokenPrincipal = { kind: 'token'; tokenId: number; tokenKind: MediaTokenKind; label: string; zonePattern: string; expiresAt: number };

/** A signalling connection's principal or an HTTP media session's token: what live access watches. */
export type AnyPrincipal = Principal | TokenPrincipal;

export const principalName = (p: AnyPrincipal): string => (p.kind === 'user' ? p.username : `${p.kind}:${p.label}`);
export const principalRole = (p: AnyPrincipal): string => (p.kind === 'user' ? p.role : p.kind === 'camera' ? 'camera' : `${p.tokenKind}-token`);
