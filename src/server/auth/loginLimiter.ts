import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterFactory } from '../store/types.ts';

/**
 * Brute-force limits (OWASP Authentication Cheat Sheet), kept in the store so a restart does not
 * reset them:
 * - one account from one address: 5 failures in 15 min blocks that pair for 15 min, so a flood
 *   from one address never locks the real user out from another;
 * - one account from anywhere: 10 failures in 15 min (a distributed guess) blocks the account 15 min;
 * - one address against any accounts: 30 failures an hour blocks the address an hour;
 * - camera keys: 10 wrong keys a minute block the address 5 min.
 */
export const LOGIN_LIMITS = {
  accountAddress: { points: 5, duration: 900, blockDuration: 900 },
  account: { points: 10, duration: 900, blockDuration: 900 },
  address: { points: 30, duration: 3600, blockDuration: 3600 },
  cameraKey: { points: 10, duration: 60, blockDuration: 300 },
} as const;

export interface Limited { retryAfterSeconds: number }

const retryAfter = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

export class LoginLimiter {
  readonly #accountAddress: RateLimiterAbstract;
  readonly #account: RateLimiterAbstract;
  readonly #address: RateLimiterAbstract;
  readonly #cameraKey: RateLimiterAbstract;

  /** `limiterFor` keeps the counters in the store, or in Redis when a cluster shares one. */
  constructor(limiterFor: RateLimiterFactory) {
    const make = (keyPrefix: string, limits: { points: number; duration: number; blockDuration: number }) => limiterFor({ keyPrefix, ...limits });
    this.#accountAddress = make('login_account_address', LOGIN_LIMITS.accountAddress);
    this.#account = make('login_account', LOGIN_LIMITS.account);
    this.#address = make('login_address', LOGIN_LIMITS.address);
    this.#cameraKey = make('camera_key', LOGIN_LIMITS.cameraKey);
  }

  /** Null when a login attempt may go ahead; otherwise how long to wait. */
  async checkLogin(username: string, address: string): Promise<Limited | null> {
    const checks: [RateLimiterAbstract, string, number][] = [
      [this.#accountAddress, `${username}|${address}`, LOGIN_LIMITS.accountAddress.points],
      [this.#account, username, LOGIN_LIMITS.account.points],
      [this.#address, address, LOGIN_LIMITS.address.points],
    ];
    return this.#blocked(checks);
  }

  async loginFailed(username: string, address: string): Promise<void> {
    await Promise.all([
      this.#accountAddress.penalty(`${username}|${address}`).catch(() => undefined),
      this.#account.penalty(username).catch(() => undefined),
      this.#address.penalty(address).catch(() => undefined),
    ]);
    await this.#blockIfOver(this.#accountAddress, `${username}|${address}`, LOGIN_LIMITS.accountAddress);
    await this.#blockIfOver(this.#account, username, LOGIN_LIMITS.account);
    await this.#blockIfOver(this.#address, address, LOGIN_LIMITS.address);
  }

  async loginSucceeded(username: string, address: string): Promise<void> {
    await this.#accountAddress.delete(`${username}|${address}`);
  }

  checkCameraKey(address: string): Promise<Limited | null> {
    return this.#blocked([[this.#cameraKey, address, LOGIN_LIMITS.cameraKey.points]]);
  }

  async cameraKeyFailed(address: string): Promise<void> {
    await this.#cameraKey.penalty(address).catch(() => undefined);
    await this.#blockIfOver(this.#cameraKey, address, LOGIN_LIMITS.cameraKey);
  }

  async #blocked(checks: [RateLimiterAbstract, string, number][]): Promise<Limited | null> {
    let wait = 0;
    for (const [limiter, key, points] of checks) {
      const res = await limiter.get(key);
      if (res && res.consumedPoints >= points) wait = Math.max(wait, retryAfter(res));
    }
    return wait > 0 ? { retryAfterSeconds: wait } : null;
  }

  async #blockIfOver(limiter: RateLimiterAbstract, key: string, limits: { points: number; blockDuration: number }): Promise<void> {
    const res = await limiter.get(key);
    if (res && res.consumedPoints >= limits.points) await limiter.block(key, limits.blockDuration);
  }
}
