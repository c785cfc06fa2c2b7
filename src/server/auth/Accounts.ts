import { protocolError, type AccountRole, type ProtocolError } from '../../shared/index.ts';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { ApiKeyRecord, GrantRecord, Store, UserRecord } from '../store/types.ts';
import type { CameraKeys } from './CameraKeys.ts';
import { isoOrNull as iso } from '../util/iso.ts';
import { hashPassword } from './passwords.ts';

/** Who makes a change, as the audit trail names them: a signed-in admin, or the CLI at the console. */
export interface Actor {
  actor: string;
  actorRole: string;
  address: string | null;
  userAgent: string | null;
}

type AccountChange = 'user.created' | 'user.updated' | 'grant.created' | 'grant.removed' | 'key.created' | 'key.revoked';

export type AccountResult<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

export interface UserChange {
  password?: string | undefined;
  role?: AccountRole | undefined;
  disabled?: boolean | undefined;
}

const done = <T>(value: T): AccountResult<T> => ({ ok: true, value });
const refused = (code: ProtocolError['code'], message: string): AccountResult<never> => ({ ok: false, error: protocolError(code, message) });

/**
 * The account rules, for the admin API and the CLI alike: the last active admin stays, a new
 * password, role or a disabled account ends the account's sessions. Every change is audited before
 * it takes effect and bumps the change counter, so every gateway re-checks its live connections.
 * Lookups ("no such user") stay with the callers, which name things differently.
 */
export class Accounts {
  constructor(private readonly store: Store, private readonly audit: AuditTrail, private readonly cameraKeys: Pick<CameraKeys, 'create'>) {}

  async createUser(by: Actor, input: { username: string; password: string; role: AccountRole }): Promise<AccountResult<UserRecord>> {
    if (await this.store.users.byUsername(input.username)) return refused('CONFLICT', `The username ${input.username} is taken.`);
    await this.#record(by, 'user.created', null, { user: input.username, role: input.role });
    const user = await this.store.users.create({
      username: input.username, passwordHash: await hashPassword(input.password), role: input.role, disabled: false, createdAt: Date.now(),
    });
    await this.store.bumpChangeSeq();
    return done(user);
  }

  async updateUser(by: Actor, user: UserRecord, change: UserChange): Promise<AccountResult<UserRecord>> {
    const losesAdmin = user.role === 'admin' && !user.disabled
      && (change.disabled === true || (change.role !== undefined && change.role !== 'admin'));
    if (losesAdmin && (await this.store.users.countActiveAdmins()) <= 1) {
      return refused('CONFLICT', 'This is the last active admin; make another admin first.');
    }
    await this.#record(by, 'user.updated', null, {
      user: user.username,
      ...(change.role ? { role: change.role } : {}),
      ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      passwordChanged: change.password !== undefined,
    });
    const updated = await this.store.users.update(user.id, {
      ...(change.password !== undefined ? { passwordHash: await hashPassword(change.password) } : {}),
      ...(change.role !== undefined ? { role: change.role } : {}),
      ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
    });
    // A session opened under the old password or role must not outlive the change.
    if (change.password !== undefined || change.role !== undefined || change.disabled === true) {
      const reason = change.disabled ? 'account_disabled' : change.password !== undefined ? 'password_changed' : 'role_changed';
      await this.store.sessions.revokeAllOfUser(user.id, Date.now(), reason);
    }
    await this.store.bumpChangeSeq();
    return updated ? done(updated) : refused('NOT_FOUND', 'No such user.');
  }

  /** `expiresAt` in epoch ms, or null for a grant that lasts until removed; `control`: may steer the cameras too. */
  async grant(by: Actor, user: UserRecord, pattern: string, expiresAt: number | null, control = false): Promise<AccountResult<GrantRecord>> {
    if (expiresAt !== null && expiresAt <= Date.now()) return refused('PAYLOAD_INVALID', 'expiresAt: must be in the future');
    await this.#record(by, 'grant.created', pattern, { user: user.username, pattern, control, expiresAt: iso(expiresAt) });
    const grant = await this.store.grants.create({ userId: user.id, pattern, control, expiresAt, createdAt: Date.now(), createdBy: by.actor });
    await this.store.bumpChangeSeq();
    return done(grant);
  }

  async removeGrant(by: Actor, grant: GrantRecord): Promise<void> {
    const user = await this.store.users.byId(grant.userId);
    await this.#record(by, 'grant.removed', grant.pattern, { user: user?.username, pattern: grant.pattern });
    await this.store.grants.remove(grant.id);
    await this.store.bumpChangeSeq();
  }

  /** The secret is returned once; only its hash is kept. */
  async createKey(by: Actor, label: string, zonePattern: string): Promise<{ key: ApiKeyRecord; secret: string }> {
    await this.#record(by, 'key.created', zonePattern, { label, zonePattern });
    return this.cameraKeys.create(label, zonePattern, by.actor);
  }

  async revokeKey(by: Actor, key: ApiKeyRecord): Promise<AccountResult<ApiKeyRecord>> {
    if (key.revokedAt !== null) return refused('CONFLICT', 'The key is already revoked.');
    await this.#record(by, 'key.revoked', key.zonePattern, { key: key.id, label: key.label, prefix: key.prefix });
    await this.store.keys.revoke(key.id, Date.now());
    await this.store.bumpChangeSeq();
    const revoked = await this.store.keys.byId(key.id);
    return revoked ? done(revoked) : refused('NOT_FOUND', 'No such key.');
  }

  async #record(by: Actor, kind: AccountChange, zone: string | null, detail: Record<string, unknown>): Promise<void> {
    await this.audit.record({ ...by, kind, zone, outcome: 'ok', detail });
  }
}
