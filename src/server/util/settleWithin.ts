/**
 * What `work` resolves to if it does so within `ms`, else `fallback`; a rejection is `fallback`
 * too. For waits that must not hang on a dependency that has gone away (Redis, PostgreSQL).
 * @example await settleWithin(redis.ping().then(() => true), 2_000, false)
 */
export async function settleWithin<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => { timer = setTimeout(() => resolve(fallback), ms); });
  try {
    return await Promise.race([work.catch(() => fallback), late]);
  } finally {
    clearTimeout(timer);
  }
}
