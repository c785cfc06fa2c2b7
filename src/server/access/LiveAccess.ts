import { protocolError, zoneMatches, type ErrorCode, type ProtocolError, type ZoneId } from '../../shared/index.ts';
import type { AuthService } from '../auth/AuthService.ts';
import { CameraKeys } from '../auth/CameraKeys.ts';
import { MediaTokens } from '../auth/MediaTokens.ts';
import type { AnyPrincipal, Principal, TokenPrincipal } from '../auth/Principal.ts';
import type { Logger } from '../observability/logger.ts';
import type { GrantRecord, Store } from '../store/types.ts';

/** A live signalling connection (or WHEP/WHIP session) as access control sees it. */
export interface LiveConnection {
  readonly id: string;
  /** Pulled IP cameras are the gateway's own and are not watched. */
  readonly principal: Principal | TokenPrincipal;
  watchedZones(): readonly ZoneId[];
  /** Tells the client why, then disconnects it; it must not come back with the same credential. */
  end(error: ProtocolError): void;
  /** Stops one view (the camera closes that peer) and tells the operator's tile why. */
  cutView(zone: ZoneId, error: ProtocolError): void;
  /** Resends the zone directory: what the connection may see changed. */
  refreshDirectory(): void;
}

/** Whether a grant covers the zone now (`control`: and lets its holder steer the camera). */
export function grantCovers(grant: GrantRecord, zone: string, now: number, control = false): boolean {
  return (!control || grant.control) && (grant.expiresAt === null || grant.expiresAt > now) && zoneMatches(grant.pattern, zone);
}

export const ACCESS_TIMING = {
  /** Expiries (sessions, grants) are enforced within this. */
  sweepMs: 250,
  /** Changes made elsewhere (the CLI, another gateway node) are picked up within this. */
  pollMs: 500,
  /** A session with live connections is marked as seen this often, so it never goes idle while watched. */
  keepAliveMs: 60_000,
} as const;

/**
 * Enforces access on live connections, not only at connect: a revoked or expired session, a
 * disabled account, a revoked key or a removed grant cuts what it covered within a second.
 * Changes made through the API call recheck() at once; changes made elsewhere are seen through
 * the store's change counter.
 */
export class LiveAccess {
  readonly #connections = new Set<LiveConnection>();
  readonly #grants = new Map<number, GrantRecord[]>();
  #timers: NodeJS.Timeout[] = [];
  #seenSeq = -1;
  #lastKeepAlive = Date.now();
  #rechecking: Promise<void> | null = null;
  #recheckAgain = false;

  constructor(
    private readonly store: Store,
    private readonly auth: AuthService,
    private readonly cameraKeys: CameraKeys,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.#timers = [
      setInterval(() => this.#sweep(Date.now()), ACCESS_TIMING.sweepMs),
      setInterval(() => void this.#poll(), ACCESS_TIMING.pollMs),
    ];
    for (const timer of this.#timers) timer.unref();
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  /** Loads what the principal may see before its connection is admitted. */
  async prepare(principal: AnyPrincipal): Promise<void> {
    if (principal.kind === 'user' && principal.role === 'operator') {
      this.#grants.set(principal.userId, await this.store.grants.ofUser(principal.userId));
    }
  }

  register(connection: LiveConnection): void {
    this.#connections.add(connection);
  }

  unregister(connection: LiveConnection): void {
    this.#connections.delete(connection);
    const p = connection.principal;
    if (p.kind === 'user' && ![...this.#connections].some((c) => c.principal.kind === 'user' && c.principal.userId === p.userId)) {
      this.#grants.delete(p.userId);
    }
  }

  mayWatch(principal: AnyPrincipal, zone: string, now = Date.now()): boolean {
    if (principal.kind === 'token') return MediaTokens.mayUse(principal, 'viewer', zone, now);
    if (principal.kind !== 'user') return false;
    if (principal.role === 'admin') return true;
    if (principal.role !== 'operator') return false;
    return (this.#grants.get(principal.userId) ?? []).some((g) => grantCovers(g, zone, now));
  }

  /** May steer the zone's camera (PTZ): an admin, or an operator whose grant for it has the control right. */
  mayControl(principal: AnyPrincipal, zone: string, now = Date.now()): boolean {
    if (principal.kind !== 'user') return false;
    if (principal.role === 'admin') return true;
    if (principal.role !== 'operator') return false;
    return (this.#grants.get(principal.userId) ?? []).some((g) => grantCovers(g, zone, now, true));
  }

  mayPublish(principal: AnyPrincipal, zone: string, now = Date.now()): boolean {
    if (principal.kind === 'token') return MediaTokens.mayUse(principal, 'publisher', zone, now);
    if (principal.kind === 'source') return principal.zone === zone;
    return principal.kind === 'camera' && CameraKeys.mayPublish(principal, zone);
  }

  /** Live sockets per session id, for the admin's session list. */
  socketsBySession(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const c of this.#connections) {
      if (c.principal.kind === 'user') counts.set(c.principal.sessionId, (counts.get(c.principal.sessionId) ?? 0) + 1);
    }
    return counts;
  }

  /** Re-validates every live connection against the store; coalesces concurrent calls. */
  recheck(): Promise<void> {
    if (this.#rechecking) {
      this.#recheckAgain = true;
      return this.#rechecking;
    }
    this.#rechecking = (async () => {
      do {
        this.#recheckAgain = false;
        this.#seenSeq = await this.store.changeSeq();
        await this.#recheckOnce();
      } while (this.#recheckAgain);
    })().catch((error: unknown) => this.logger.error({ err: error }, 'access recheck failed'))
      .finally(() => { this.#rechecking = null; });
    return this.#rechecking;
  }

  async #recheckOnce(): Promise<void> {
    const verdicts = new Map<string, ErrorCode | null>();
    const users = new Set<number>();
    for (const c of [...this.#connections]) {
      const p = c.principal;
      const key = p.kind === 'user' ? `s${p.sessionId}` : p.kind === 'camera' ? `k${p.keyId}` : `t${p.tokenId}`;
      if (!verdicts.has(key)) {
        verdicts.set(key, p.kind === 'user'
          ? await this.auth.stillValid(p.sessionId)
          : p.kind === 'camera'
            ? (await this.cameraKeys.stillValid(p.keyId)) ? null : 'KEY_REVOKED'
            : MediaTokens.verdict(await this.store.mediaTokens.byId(p.tokenId)));
      }
      const verdict = verdicts.get(key)!;
      if (verdict) this.#end(c, verdict);
      else if (p.kind === 'user' && p.role === 'operator') users.add(p.userId);
    }
    for (const userId of users) {
      const before = JSON.stringify(this.#grants.get(userId) ?? []);
      const grants = await this.store.grants.ofUser(userId);
      this.#grants.set(userId, grants);
      if (JSON.stringify(grants) !== before) {
        for (const c of this.#connections) if (c.principal.kind === 'user' && c.principal.userId === userId) c.refreshDirectory();
      }
    }
    this.#enforceGrants(Date.now());
  }

  #end(connection: LiveConnection, code: ErrorCode): void {
    if (!this.#connections.has(connection)) return;
    this.#connections.delete(connection);
    connection.end(protocolError(code));
  }

  #enforceGrants(now: number): void {
    for (const c of this.#connections) {
      if (c.principal.kind !== 'user') continue;
      for (const zone of c.watchedZones()) {
        if (!this.mayWatch(c.principal, zone, now)) c.cutView(zone, protocolError('ZONE_FORBIDDEN', `Access to ${zone} was withdrawn.`));
      }
    }
  }

  #sweep(now: number): void {
    for (const c of [...this.#connections]) {
      if (c.principal.kind === 'user' && c.principal.expiresAt <= now) this.#end(c, 'SESSION_EXPIRED');
      else if (c.principal.kind === 'token' && c.principal.expiresAt <= now) this.#end(c, 'TOKEN_EXPIRED');
    }
    this.#enforceGrants(now);
    if (now - this.#lastKeepAlive >= ACCESS_TIMING.keepAliveMs) {
      this.#lastKeepAlive = now;
      const sessions = new Set<number>();
      for (const c of this.#connections) if (c.principal.kind === 'user') sessions.add(c.principal.sessionId);
      // A failed touch only lets an idle timeout come sooner; said once per sweep, not per session.
      void Promise.allSettled([...sessions].map((id) => this.auth.touch(id, now))).then((results) => {
        const failed = results.filter((r) => r.status === 'rejected');
        if (failed.length > 0) this.logger.warn({ err: (failed[0] as PromiseRejectedResult).reason, failed: failed.length }, 'session keep-alive failed');
      });
    }
  }

  async #poll(): Promise<void> {
    try {
      const seq = await this.store.changeSeq();
      if (seq !== this.#seenSeq) await this.recheck();
    } catch (error) {
      this.logger.error({ err: error }, 'access poll failed');
    }
  }
}
