import { createClient } from 'redis';

function createRedisClient(url: string) {
  return createClient({
    url,
    socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
  });
}

export type RedisClient = ReturnType<typeof createRedisClient>;

/**
 * A connected node-redis client. It reconnects by itself; errors go to the caller's handler
 * rather than being thrown at the event emitter (which would end the process).
 */
export async function connectRedis(url: string, onError: (error: Error) => void): Promise<RedisClient> {
  const client = createRedisClient(url);
  client.on('error', onError);
  await client.connect();
  return client;
}
