import { randomBytes } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Logger } from '../observability/logger.ts';
import { settleWithin } from '../util/settleWithin.ts';
import type { RateLimiterFactory } from '../store/types.ts';
import { connectRedis, type RedisClient } from './redisClient.ts';
import { RedisPresence, relayChannel, type RelayMessage } from '../zones/RedisPresence.ts';

const PREFIX = 'vigil:';
/** A node that has not renewed its heartbeat for this long is dead; its survivors release what it held. */
export const NODE_TTL_MS = 10_000;
const HEARTBEAT_MS = 3_000;
const SWEEP_MS = 2_000;
const CLOSE_DEADLINE_MS = 1_000;

/**
 * This gateway as one node of a cluster sharing a Redis: Socket.IO's Redis streams adapter
 * carries messages between nodes, zone presence lives in Redis, rate limits are kept there, and
 * a heartbeat lets the survivors clean up after a node that died without a goodbye.
 */
export class Cluster {
  readonly nodeId = randomBytes(6).toString('base64url');
  readonly presence: RedisPresence;
  readonly adapter: ReturnType<typeof createAdapter>;
  #heartbeat: NodeJS.Timeout | null = null;
  #sweeper: NodeJS.Timeout | null = null;

  private constructor(
    readonly redis: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly logger: Logger,
    private readonly onDeadNode: (node: string) => Promise<void>,
  ) {
    this.presence = new RedisPresence(redis, this.nodeId, PREFIX, logger, (error, event) => logger.error({ err: error, event }, 'presence listener failed'));
    // A short blocking read, so a stopping node lets go of Redis within two seconds.
    this.adapter = createAdapter(redis, { streamName: `${PREFIX}socket.io`, blockTimeInMs: 2_000 });
  }

  static async join(url: string, logger: Logger, onDeadNode: (node: string) => Promise<void>): Promise<Cluster> {
    let lastError = '';
    const onError = (error: Error) => {
      // node-redis reports every reconnect attempt; one line per distinct failure is enough.
      if (error.message !== lastError) logger.warn({ err: error }, 'redis connection trouble');
      lastError = error.message;
    };
    const redis = await connectRedis(url, onError);
    const subscriber = redis.duplicate();
    subscriber.on('error', onError);
    await subscriber.connect();
    const cluster = new Cluster(redis, subscriber, logger, onDeadNode);
    await subscriber.subscribe(`${PREFIX}changed`, (zone) => cluster.presence.zoneChanged(zone as never));
    // Signalling for the relays this node's workers hold, from viewers on other nodes.
    await subscriber.subscribe(relayChannel(PREFIX, cluster.nodeId), (message) => {
      try {
        cluster.presence.relayMessage(JSON.parse(message) as RelayMessage);
      } catch (error) {
        logger.warn({ err: error }, 'relay message dropped');
      }
    });
    await cluster.#beat();
    return cluster;
  }

  /** Rate limits shared by every node (login and camera-key guessing spread over nodes still trips). */
  get rateLimiter(): RateLimiterFactory {
    return (options) => new RateLimiterRedis({ storeClient: this.redis, useRedisPackage: true, ...options, keyPrefix: `${PREFIX}rl:${options.keyPrefix}` });
  }

  async isNodeAlive(node: string): Promise<boolean> {
    return node === this.nodeId || (await this.redis.exists(`${PREFIX}alive:${node}`)) === 1;
  }

  start(): void {
    this.#heartbeat = setInterval(() => void this.#beat().catch((error: unknown) => this.logger.warn({ err: error }, 'heartbeat failed')), HEARTBEAT_MS);
    this.#sweeper = setInterval(() => void this.#sweep().catch((error: unknown) => this.logger.warn({ err: error }, 'sweep failed')), SWEEP_MS);
    this.#heartbeat.unref();
    this.#sweeper.unref();
  }

  async ping(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }

  /** Leaves the cluster: the node's connections are gone by now, so its records go too. */
  async close(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#sweeper) clearInterval(this.#sweeper);
    await this.presence.close();
    // With Redis unreachable none of this can succeed: give it a moment, then drop the sockets.
    await settleWithin<unknown>(this.redis.multi().sRem(`${PREFIX}nodes`, this.nodeId).del(`${PREFIX}alive:${this.nodeId}`).exec(), CLOSE_DEADLINE_MS, undefined);
    await Promise.all([this.subscriber, this.redis].map((client) => settleWithin<unknown>(client.quit(), CLOSE_DEADLINE_MS, undefined)));
    for (const client of [this.subscriber, this.redis]) if (client.isOpen) client.destroy();
  }

  async #beat(): Promise<void> {
    await this.redis.multi().sAdd(`${PREFIX}nodes`, this.nodeId).set(`${PREFIX}alive:${this.nodeId}`, '1', { PX: NODE_TTL_MS }).exec();
  }

  /** Releases what dead nodes held; one survivor does it per dead node (a short lock). */
  async #sweep(): Promise<void> {
    for (const node of await this.redis.sMembers(`${PREFIX}nodes`)) {
      if (await this.isNodeAlive(node)) continue;
      const locked = await this.redis.set(`${PREFIX}sweep:${node}`, this.nodeId, { NX: true, PX: 30_000 });
      if (locked !== 'OK') continue;
      const sids = await this.redis.sMembers(`${PREFIX}node:${node}`);
      this.logger.warn({ node, connections: sids.length }, 'gateway node died: releasing its zones');
      for (const sid of sids) await this.presence.releaseRemote(sid);
      await this.redis.multi().del(`${PREFIX}node:${node}`).sRem(`${PREFIX}nodes`, node).exec();
      await this.onDeadNode(node);
    }
  }
}
