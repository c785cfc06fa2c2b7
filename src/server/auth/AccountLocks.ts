import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { Store, UserRecord } from '../store/types.ts';
import type { Actor } from './Accounts.ts';
import { LOGIN_LIMITS, type LoginLimiter } from './loginLimiter.ts';

/** The longest window a login limit counts over: failures older than this lock nothing. */
const LOCK_WINDOW_MS = Math.max(LOGIN_LIMITS.account.duration, LOGIN_LIMITS.account.blockDuration, LOGIN_LIMITS.accountAddress.blockDuration) * 1000;
/** Failed sign-ins read back from the trail per look: far more than the limits let through. */
const FAILURES_READ = 2_000;

/**
 * Accounts locked by failed sign-ins, as an admin sees them (the login limits keep no list of who
 * is locked from where): the trail's recent `login.failure` entries name each account's addresses,
 * the limits say which of those are spent. Unlocking clears the account's own count and its
 * per-address counts; an address blocked for guessing many accounts stays blocked.
 */
export class AccountLocks {
  constructor(private readonly store: Store, private readonly audit: AuditTrail, private readonly limiter: LoginLimiter) {}

  /** Username → when it can sign in again, for the accounts that are locked now. */
  async locked(users: readonly UserRecord[]): Promise<Map<string, number>> {
    const tried = await this.#recentAddresses();
    const locks = new Map<string, number>();
    for (const user of users) {
      const addresses = tried.get(user.username);
      if (!addresses) continue;
      const until = await this.limiter.lockedUntil(user.username, [...addresses]);
      if (until !== null) locks.set(user.username, until);
    }
    return locks;
  }

  async unlock(by: Actor, user: UserRecord): Promise<void> {
    const addresses = [...((await this.#recentAddresses()).get(user.username) ?? [])];
    await this.audit.record({ ...by, kind: 'user.unlocked', zone: null, outcome: 'ok', detail: { user: user.username, addresses: addresses.length } });
    await this.limiter.unlock(user.username, addresses);
  }

  /** Username → the addresses its failed sign-ins came from within the lock window. */
  async #recentAddresses(): Promise<Map<string, Set<string>>> {
    const failures = await this.store.audit.query({ kind: 'login.failure', from: Date.now() - LOCK_WINDOW_MS, limit: FAILURES_READ });
    const tried = new Map<string, Set<string>>();
    for (const entry of failures) {
      const named = typeof entry.detail.user === 'string' ? entry.detail.user : entry.actor;
      if (!named || !entry.address) continue;
      const addresses = tried.get(named) ?? new Set<string>();
      addresses.add(entry.address);
      tried.set(named, addresses);
    }
    return tried;
  }
}
