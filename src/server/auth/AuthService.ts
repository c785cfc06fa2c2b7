import { protocolError, type AccountRole, type ErrorCode, type ProtocolError } from '../../shared/index.ts';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { Logger } from '../observability/logger.ts';
import type { SessionRecord, Store, UserRecord } from '../store/types.ts';
import { addressSource } from '../http/clientAddress.ts';
import { QueueFullError } from './FairQueue.ts';
import type { LoginLimiter } from './loginLimiter.ts';
import { decoyHash, generatePassword, hashPassword, verifyPassword } from './passwords.ts';
import type { Principal } from './Principal.ts';
import { hashSecret, newSecret } from './secrets.ts';

export interface SessionPolicy {
  /** Absolute lifetime: a session ends this long after login, live or not. */
  lifetimeSeconds: number;
  /** A session with no request and no live connection for this long ends. */
  idleSeconds: number;
}

export interface ClientInfo {
  address: string;
  userAgent: string;
}

export type Refusal = { ok: false; error: ProtocolError; retryAfterSeconds?: number };
export type Authenticated = { ok: true; principal: Extract<Principal, { kind: 'user' }>; user: UserRecord; session: SessionRecord };

/** last_seen_at is written at most this often per session: a busy console is not a write per request. */
const TOUCH_EVERY_MS = 30_000;

const refusal = (code: ErrorCode, message?: string): Refusal => ({ ok: false, error: protocolError(code, message) });

/** Logins, sessions and the first admin. Every outcome that matters is in the audit trail. */
export class AuthService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditTrail,
    private readonly limiter: LoginLimiter,
    readonly policy: SessionPolicy,
    private readonly logger: Logger,
  ) {}

  /**
   * Checks a password under the login limits: the attempt's points are taken before the hash (a
   * burst of guesses is counted in full), and refusals that never reached a password — an address
   * or account already limited, an attempt already in flight, a full hash queue, an unknown user —
   * are audited as summaries per address; a wrong password for a real account, one entry each.
   */
  async login(username: string, password: string, client: ClientInfo): Promise<Refusal | (Authenticated & { token: string })> {
    const name = username.trim().toLowerCase();
    const entry = { actor: name, actorRole: null, zone: null, address: client.address, userAgent: client.userAgent };
    const limitedRefusal = async (retryAfterSeconds: number, reason: 'rate_limited' | 'in_flight' | 'busy'): Promise<Refusal> => {
      await this.audit.recordAnonymous({ ...entry, actor: null, kind: 'login.failure', outcome: 'denied', detail: { reason, user: name, retryAfterSeconds } });
      const message = {
        rate_limited: `Too many failed logins; try again in ${retryAfterSeconds} s.`,
        in_flight: `A sign-in for this account is already being checked; try again in ${retryAfterSeconds} s.`,
        busy: `The gateway is checking many sign-ins from this address; try again in ${retryAfterSeconds} s.`,
      }[reason];
      return { ...refusal('RATE_LIMITED', message), retryAfterSeconds };
    };
    const admitted = await this.limiter.admitLogin(name, client.address);
    if (!admitted.ok) return limitedRefusal(admitted.limited.retryAfterSeconds, admitted.limited.reason);
    const { attempt } = admitted;
    let valid: boolean;
    let user: UserRecord | null;
    try {
      user = await this.store.users.byUsername(name);
      valid = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()), addressSource(client.address));
    } catch (error) {
      attempt.failed();
      if (error instanceof QueueFullError) return limitedRefusal(1, 'busy');
      throw error;
    }
    if (!user || !valid || user.disabled) {
      attempt.failed();
      const reason = !user ? 'unknown_user' : !valid ? 'wrong_password' : 'disabled';
      if (user) await this.audit.record({ ...entry, kind: 'login.failure', outcome: 'denied', detail: { reason } });
      else await this.audit.recordAnonymous({ ...entry, actor: null, kind: 'login.failure', outcome: 'denied', detail: { reason, user: name } });
      return refusal('LOGIN_FAILED');
    }
    await attempt.succeeded();
    const token = newSecret();
    const now = Date.now();
    const session = await this.store.sessions.create({
      tokenHash: hashSecret(token), userId: user.id, createdAt: now, lastSeenAt: now,
      expiresAt: now + this.policy.lifetimeSeconds * 1000, address: client.address, userAgent: client.userAgent.slice(0, 512),
    });
    await this.audit.record({ ...entry, actorRole: user.role, kind: 'login.success', outcome: 'ok', detail: { session: session.id } });
    return { ok: true, token, user, session, principal: this.#principal(user, session) };
  }

  /** Resolves a session cookie's token; touches the session so it does not go idle. */
  async authenticate(token: string | undefined, now = Date.now()): Promise<Refusal | Authenticated> {
    if (!token || token.length > 128) return refusal('AUTH_REQUIRED');
    const session = await this.store.sessions.byTokenHash(hashSecret(token));
    if (!session) return refusal('AUTH_REQUIRED');
    if (session.revokedAt !== null) return refusal('SESSION_REVOKED');
    if (session.expiresAt <= now || session.lastSeenAt + this.policy.idleSeconds * 1000 <= now) return refusal('SESSION_EXPIRED');
    const user = await this.store.users.byId(session.userId);
    if (!user || user.disabled) return refusal('SESSION_REVOKED');
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) await this.store.sessions.touch(session.id, now);
    return { ok: true, user, session, principal: this.#principal(user, session) };
  }

  /** Why a live session must end now, or null if it may go on. `live` sessions do not go idle. */
  async stillValid(sessionId: number, now = Date.now()): Promise<ErrorCode | null> {
    const session = await this.store.sessions.byId(sessionId);
    if (!session || session.revokedAt !== null) return 'SESSION_REVOKED';
    if (session.expiresAt <= now) return 'SESSION_EXPIRED';
    const user = await this.store.users.byId(session.userId);
    return !user || user.disabled ? 'SESSION_REVOKED' : null;
  }

  async touch(sessionId: number, now = Date.now()): Promise<void> {
    await this.store.sessions.touch(sessionId, now);
  }

  async logout(principal: Extract<Principal, { kind: 'user' }>, client: ClientInfo): Promise<void> {
    await this.audit.record({
      kind: 'logout', actor: principal.username, actorRole: principal.role, zone: null, outcome: 'ok', ...client,
      detail: { session: principal.sessionId },
    });
    await this.store.sessions.revoke(principal.sessionId, Date.now(), 'logout');
    await this.store.bumpChangeSeq();
  }

  /**
   * With no active admin (a new store, or one where the CLI made only operators), creates `admin`
   * from VIGIL_ADMIN_PASSWORD or a generated password, which the banner prints once. Returns null when
   * an admin exists.
   */
  async ensureFirstAdmin(adminPassword: string | undefined): Promise<{ username: string; password: string; generated: boolean } | null> {
    if ((await this.store.users.countActiveAdmins()) > 0) return null;
    if (await this.store.users.byUsername('admin')) {
      throw new Error('no active admin, and the username "admin" is taken: run `npm run vigil -- user add <name> --role admin`');
    }
    const password = adminPassword ?? generatePassword();
    let user: UserRecord;
    try {
      user = await this.store.users.create({
        username: 'admin', passwordHash: await hashPassword(password), role: 'admin', disabled: false, createdAt: Date.now(),
      });
    } catch (error) {
      // Another node of a cluster, starting at the same moment, made it first.
      if ((await this.store.users.countActiveAdmins()) > 0) return null;
      throw error;
    }
    await this.audit.record({
      kind: 'user.created', actor: 'system', actorRole: 'system', zone: null, address: null, userAgent: null, outcome: 'ok',
      detail: { user: user.username, role: user.role, firstStart: true, passwordFrom: adminPassword ? 'VIGIL_ADMIN_PASSWORD' : 'generated' },
    });
    this.logger.info({ user: user.username }, 'first administrator created');
    return { username: user.username, password, generated: adminPassword === undefined };
  }

  #principal(user: UserRecord, session: SessionRecord): Authenticated['principal'] {
    return { kind: 'user', userId: user.id, username: user.username, role: user.role as AccountRole, sessionId: session.id, expiresAt: session.expiresAt };
  }
}
