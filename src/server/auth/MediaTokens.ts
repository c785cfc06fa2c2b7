import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { protocolError, zoneMatches, type ErrorCode, type MediaTokenKind } from '../../shared/index.ts';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import { addressSource } from '../http/clientAddress.ts';
import type { MediaTokenRecord, RateLimiterFactory, Store } from '../store/types.ts';
import { KeyedSerial } from '../util/KeyedSerial.ts';
import type { AccountResult, Actor } from './Accounts.ts';
import type { Refusal } from './AuthService.ts';
import type { TokenPrincipal } from './Principal.ts';
import { hashSecret, newSecret } from './secrets.ts';

/** `whep_…` admits a player, `whip_…` an encoder: the kind shows in the token itself. */
export const MEDIA_TOKEN_PREFIX: Readonly<Record<MediaTokenKind, string>> = { viewer: 'whep_', publisher: 'whip_' };
/** A token is its prefix and 43 base64url characters; anything much longer is not one. */
const MEDIA_TOKEN_MAX_LENGTH = 128;

/**
 * Wrong tokens from one address, like camera keys: the tenth in a minute blocks the address for
 * five minutes. Checks of one address run one at a time, so a burst is counted exactly.
 */
export const MEDIA_TOKEN_LIMIT = { points: 10, duration: 60, blockDuration: 300 } as const;

const refused = (code: ErrorCode, message?: string): AccountResult<never> => ({ ok: false, error: protocolError(code, message) });
const retryAfter = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
const iso = (ms: number): string => new Date(ms).toISOString();

export type MediaTokenCheck = Refusal | { ok: true; principal: TokenPrincipal; token: MediaTokenRecord };

/**
 * WHEP viewer and WHIP publisher tokens: made by an admin (API or CLI), shown once, stored as
 * SHA-256 (256 bits from the CSPRNG: a fast hash is enough), bound to a zone pattern and an
 * expiry, revocable. Creation and revocation are audited before they take effect and bump the
 * store's change counter, so every gateway re-checks the sessions the token holds.
 */
export class MediaTokens {
  readonly #limiter: RateLimiterAbstract;
  readonly #checks = new KeyedSerial();

  constructor(private readonly store: Store, private readonly audit: AuditTrail, limiterFor: RateLimiterFactory) {
    this.#limiter = limiterFor({ keyPrefix: 'media_token', ...MEDIA_TOKEN_LIMIT });
  }

  /** The secret is returned once; only its hash is kept. `expiresAt` in epoch ms, in the future. */
  async create(by: Actor, input: { kind: MediaTokenKind; label: string; zonePattern: string; expiresAt: number }): Promise<AccountResult<{ token: MediaTokenRecord; secret: string }>> {
    if (input.expiresAt <= Date.now()) return refused('PAYLOAD_INVALID', 'expiresAt: must be in the future');
    const secret = `${MEDIA_TOKEN_PREFIX[input.kind]}${newSecret()}`;
    await this.audit.record({
      ...by, kind: 'token.created', zone: input.zonePattern, outcome: 'ok',
      detail: { tokenKind: input.kind, label: input.label, zonePattern: input.zonePattern, expiresAt: iso(input.expiresAt) },
    });
    const token = await this.store.mediaTokens.create({
      ...input, tokenHash: hashSecret(secret), prefix: secret.slice(0, MEDIA_TOKEN_PREFIX[input.kind].length + 6), createdAt: Date.now(), createdBy: by.actor,
    });
    await this.store.bumpChangeSeq();
    return { ok: true, value: { token, secret } };
  }

  async revoke(by: Actor, token: MediaTokenRecord): Promise<AccountResult<MediaTokenRecord>> {
    if (token.revokedAt !== null) return refused('CONFLICT', 'The token is already revoked.');
    await this.audit.record({
      ...by, kind: 'token.revoked', zone: token.zonePattern, outcome: 'ok',
      detail: { token: token.id, tokenKind: token.kind, label: token.label, prefix: token.prefix },
    });
    await this.store.mediaTokens.revoke(token.id, Date.now());
    await this.store.bumpChangeSeq();
    const revoked = await this.store.mediaTokens.byId(token.id);
    return revoked ? { ok: true, value: revoked } : refused('NOT_FOUND', 'No such token.');
  }

  /**
   * The principal of a bearer token, under the address's limit: a token the gateway never issued
   * counts against it; no token at all, or a revoked or expired one, does not (they are not guesses).
   */
  async authenticate(bearer: string | undefined, address: string, now = Date.now()): Promise<MediaTokenCheck> {
    if (!bearer) return { ok: false, error: protocolError('AUTH_REQUIRED', 'Send the WHEP or WHIP token as Authorization: Bearer <token>.') };
    const source = addressSource(address);
    const checked = await this.#checks.run(source, async () => {
      const spent = await this.#limiter.get(source);
      if (spent && spent.consumedPoints >= MEDIA_TOKEN_LIMIT.points) return { limited: retryAfter(spent) } as const;
      const wellFormed = bearer.length <= MEDIA_TOKEN_MAX_LENGTH && Object.values(MEDIA_TOKEN_PREFIX).some((prefix) => bearer.startsWith(prefix));
      const token = wellFormed ? await this.store.mediaTokens.byHash(hashSecret(bearer)) : null;
      if (!token) {
        const counted = await this.#limiter.penalty(source);
        if (counted.consumedPoints >= MEDIA_TOKEN_LIMIT.points) await this.#limiter.block(source, MEDIA_TOKEN_LIMIT.blockDuration);
      }
      return { token } as const;
    });
    if ('limited' in checked) {
      const retryAfterSeconds = checked.limited;
      return { ok: false, error: protocolError('RATE_LIMITED', `Too many wrong tokens; try again in ${retryAfterSeconds} s.`), retryAfterSeconds };
    }
    const { token } = checked;
    if (!token) return { ok: false, error: protocolError('TOKEN_INVALID') };
    const verdict = MediaTokens.verdict(token, now);
    if (verdict) return { ok: false, error: protocolError(verdict) };
    await this.store.mediaTokens.markUsed(token.id, now);
    return { ok: true, token, principal: MediaTokens.principalOf(token) };
  }

  /** Why a token no longer admits anyone (null: it still does). */
  static verdict(token: MediaTokenRecord | null, now = Date.now()): ErrorCode | null {
    if (!token) return 'TOKEN_REVOKED';
    if (token.revokedAt !== null) return 'TOKEN_REVOKED';
    return token.expiresAt <= now ? 'TOKEN_EXPIRED' : null;
  }

  static principalOf(token: MediaTokenRecord): TokenPrincipal {
    return { kind: 'token', tokenId: token.id, tokenKind: token.kind, label: token.label, zonePattern: token.zonePattern, expiresAt: token.expiresAt };
  }

  /** A viewer token watches, a publisher token publishes, each inside its pattern and before its expiry. */
  static mayUse(principal: TokenPrincipal, kind: MediaTokenKind, zone: string, now = Date.now()): boolean {
    return principal.tokenKind === kind && principal.expiresAt > now && zoneMatches(principal.zonePattern, zone);
  }
}
