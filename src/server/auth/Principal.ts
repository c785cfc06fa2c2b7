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

/** An IP camera the gateway itself pulls into its zone (configured by an admin): it publishes that zone only. */
export type SourcePrincipal = { kind: 'source'; sourceId: number; label: string; zone: string };

/** A signalling connection's principal, an HTTP media session's token, or a pulled camera. */
export type AnyPrincipal = Principal | TokenPrincipal | SourcePrincipal;

export const principalName = (p: AnyPrincipal): string => (p.kind === 'user' ? p.username : `${p.kind}:${p.label}`);
export const principalRole = (p: AnyPrincipal): string => {
  switch (p.kind) {
    case 'user': return p.role;
    case 'camera': return 'camera';
    case 'token': return `${p.tokenKind}-token`;
    case 'source': return 'ip-camera';
  }
};
