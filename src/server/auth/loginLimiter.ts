import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { addressSource } from '../http/clientAddress.ts';
import type { RateLimiterFactory } from '../store/types.ts';
import { KeyedSerial } from '../util/KeyedSerial.ts';

/**
 * Brute-force limits (OWASP Authentication Cheat Sheet), kept in the store so a restart does not
 * reset them. An address is an IPv4 address or an IPv6 /64 (see addressSource).
 * - one account from one address: 5 attempts in 15 min, then that pair waits 15 min;
 * - one account from anywhere: 10 attempts in 15 min (a distributed guess), then the account
 *   waits 15 min — never reachable from one address, whose 5 come first;
 * - one address against any accounts: 30 attempts an hour, then the address waits an hour;
 * - camera keys: 10 wrong keys a minute, then the address waits 5 min.
 * A login attempt takes its points before the password is hashed and gives them back when it
 * succeeds, so a burst of guesses sent at once counts every one of them; only one attempt per
 * account and address is in flight at a time, the others are refused at once.
 */
export const LOGIN_LIMITS = {
  accountAddress: { points: 5, duration: 900, blockDuration: 900 },
  account: { points: 10, duration: 900, blockDuration: 900 },
  address: { points: 30, duration: 3600, blockDuration: 3600 },
  cameraKey: { points: 10, duration: 60, blockDuration: 300 },
} as const;

/** How long to wait before an attempt made while another for the same account and address was in flight. */
const IN_FLIGHT_RETRY_SECONDS = 1;

export interface Limited {
  retryAfterSeconds: number;
  /** `rate_limited`: a limit is spent; `in_flight`: an attempt for the same account and address is being checked. */
  reason: 'rate_limited' | 'in_flight';
}

/** One admitted login attempt: its points are taken; report how it went exactly once. */
export interface LoginAttempt {
  /** The password was right: the attempt's points are given back and the account+address count starts over. */
  succeeded(): Promise<void>;
  /** The password was wrong (or the account unusable): the points stay taken. */
  failed(): void;
}

const retryAfter = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
const isRefusal = (value: unknown): value is RateLimiterRes => !(value instanceof Error) && typeof (value as RateLimiterRes | null)?.msBeforeNext === 'number';

export class LoginLimiter {
  readonly #accountAddress: RateLimiterAbstract;
  readonly #account: RateLimiterAbstract;
  readonly #address: RateLimiterAbstract;
  readonly #cameraKey: RateLimiterAbstract;
  /** `account|address` pairs with an attempt being checked on this node. */
  readonly #inFlight = new Set<string>();
  readonly #cameraKeyChecks = new KeyedSerial();

  /** `limiterFor` keeps the counters in the store, or in Redis when a cluster shares one. */
  constructor(limiterFor: RateLimiterFactory) {
    const make = (keyPrefix: string, limits: { points: number; duration: number; blockDuration: number }) => limiterFor({ keyPrefix, ...limits });
    this.#accountAddress = make('login_account_address', LOGIN_LIMITS.accountAddress);
    this.#account = make('login_account', LOGIN_LIMITS.account);
    this.#address = make('login_address', LOGIN_LIMITS.address);
    this.#cameraKey = make('camera_key', LOGIN_LIMITS.cameraKey);
  }

  /**
   * Admits one login attempt, taking its points from every limit (account+address first, so a
   * single address never spends the account-wide budget beyond its own five), or says how long to
   * wait. A store failure rejects: no counting, no hashing.
   */
  async admitLogin(username: string, address: string): Promise<{ ok: true; attempt: LoginAttempt } | { ok: false; limited: Limited }> {
    const source = addressSource(address);
    const pair = `${username}|${source}`;
    if (this.#inFlight.has(pair)) return { ok: false, limited: { retryAfterSeconds: IN_FLIGHT_RETRY_SECONDS, reason: 'in_flight' } };
    this.#inFlight.add(pair);
    const release = () => this.#inFlight.delete(pair);
    const limits: [RateLimiterAbstract, string][] = [[this.#accountAddress, pair], [this.#address, source], [this.#account, username]];
    const taken: [RateLimiterAbstract, string][] = [];
    try {
      for (const [limiter, key] of limits) {
        try {
          await limiter.consume(key);
          taken.push([limiter, key]);
        } catch (outcome) {
          if (!isRefusal(outcome)) throw outcome;
          // Refused: the attempt never happens, so what it took from the other limits goes back.
          await Promise.all(taken.map(([l, k]) => l.reward(k)));
          release();
          return { ok: false, limited: { retryAfterSeconds: retryAfter(outcome), reason: 'rate_limited' } };
        }
      }
    } catch (error) {
      release();
      throw error;
    }
    let reported = false;
    const report = () => {
      if (reported) throw new TypeError('a login attempt is reported once');
      reported = true;
      release();
    };
    return {
      ok: true,
      attempt: {
        succeeded: async () => {
          report();
          await Promise.all([this.#accountAddress.delete(pair), this.#address.reward(source), this.#account.reward(username)]);
        },
        failed: () => report(),
      },
    };
  }

  /**
   * Checks a camera key with `check` under the address's limit: checks of one address run one at
   * a time, so a burst of wrong keys sent at once is counted exactly; the tenth wrong key in a
   * minute blocks the address. `check` answers whether the key was one the gateway issued.
   */
  async checkCameraKey<T>(address: string, check: () => Promise<{ valid: boolean; result: T }>): Promise<{ ok: true; result: T } | { ok: false; limited: Limited }> {
    const source = addressSource(address);
    const { points, blockDuration } = LOGIN_LIMITS.cameraKey;
    return this.#cameraKeyChecks.run(source, async () => {
      const spent = await this.#cameraKey.get(source);
      if (spent && spent.consumedPoints >= points) return { ok: false, limited: { retryAfterSeconds: retryAfter(spent), reason: 'rate_limited' } };
      const { valid, result } = await check();
      if (!valid) {
        const counted = await this.#cameraKey.penalty(source);
        if (counted.consumedPoints >= points) await this.#cameraKey.block(source, blockDuration);
      }
      return { ok: true, result };
    });
  }

  /**
   * When `username` can sign in again, if the account is locked or spent (the next attempt would
   * be refused) from anywhere or from one of `addresses`; null when it is not. Ms since epoch.
   */
  async lockedUntil(username: string, addresses: readonly string[]): Promise<number | null> {
    const checks: [RateLimiterAbstract, string, number][] = [
      [this.#account, username, LOGIN_LIMITS.account.points],
      ...addresses.map((a): [RateLimiterAbstract, string, number] => [this.#accountAddress, `${username}|${addressSource(a)}`, LOGIN_LIMITS.accountAddress.points]),
    ];
    let until: number | null = null;
    for (const [limiter, key, points] of checks) {
      const spent = await limiter.get(key);
      if (spent && spent.consumedPoints >= points) until = Math.max(until ?? 0, Date.now() + spent.msBeforeNext);
    }
    return until;
  }

  /** An admin unlocks an account: its own count, and that of each address it was tried from, start over. */
  async unlock(username: string, addresses: readonly string[]): Promise<void> {
    await Promise.all([
      this.#account.delete(username),
      ...addresses.map((a) => this.#accountAddress.delete(`${username}|${addressSource(a)}`)),
    ]);
  }
}
