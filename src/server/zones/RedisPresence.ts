import { createHash, randomBytes } from 'node:crypto';
import {
  Limits,
  protocolError,
  Timing,
  type Ack,
  type PeerId,
  type ProtocolError,
  type PublishResult,
  type ServerToClientEvents,
  type WatchResult,
  type ZoneId,
  type ZoneSummary,
} from '../../shared/index.ts';
import type { Logger } from '../observability/logger.ts';
import { SafeEmitter } from '../util/SafeEmitter.ts';
import type { Participant } from './Participant.ts';
import { ownPublishRule, peerCloseReasonFor, presenceRefusal, watchRule } from './presenceRules.ts';
import type { EndReason, Route, ZonePresence, ZoneRegistryEvents } from './ZonePresence.ts';
import type { RedisClient } from '../cluster/redisClient.ts';
import { EXPIRE_HELD, PUBLISH, UNPUBLISH, UNWATCH, WATCH } from './redisPresenceScripts.ts';

/** How this node reaches a connection that may live on another node (Socket.IO's Redis adapter). */
export interface ClusterTransport {
  deliver(sid: string, event: keyof ServerToClientEvents, payload: unknown): void;
  evict(sid: string): void;
}

const SCRIPTS = { PUBLISH, UNPUBLISH, WATCH, UNWATCH, EXPIRE_HELD } as const;
type ScriptName = keyof typeof SCRIPTS;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const nonce = (): string => randomBytes(12).toString('base64url');
/** A burst of operators connecting at once shares one directory read. */
const SUMMARY_CACHE_MS = 100;

/**
 * Zone presence shared by every gateway node through Redis: which camera holds each zone (so
 * ZONE_BUSY holds cluster-wide), who watches it, and every peer pairing, so any node can route
 * any signalling message. Messages to a connection on another node travel through Socket.IO's
 * Redis adapter. Each node also keeps what its own connections hold, to report their ends to
 * the audit trail even when another node ended them (a camera taken over elsewhere).
 */
export class RedisPresence implements ZonePresence {
  readonly events: SafeEmitter<ZoneRegistryEvents>;
  readonly #local = new Map<string, Participant>();
  readonly #published = new Map<string, ZoneId>();
  readonly #watching = new Map<string, Set<ZoneId>>();
  readonly #shas = new Map<ScriptName, string>();
  #transport: ClusterTransport | null = null;
  #summaries: { at: number; value: Promise<ZoneSummary[]> } | null = null;
  /** Zone → the timer that drops its camera's held pairings once their grace has passed. */
  readonly #expiries = new Map<ZoneId, NodeJS.Timeout>();

  constructor(
    private readonly redis: RedisClient,
    readonly nodeId: string,
    private readonly prefix: string,
    private readonly logger: Logger,
    onListenerError: (error: unknown, event: string) => void,
    private readonly resumeGraceMs: number = Timing.resumeGraceMs,
  ) {
    this.events = new SafeEmitter<ZoneRegistryEvents>((error, event) => onListenerError(error, String(event)));
  }

  /** Wired once Socket.IO exists (it needs the presence first). */
  attach(transport: ClusterTransport): void {
    this.#transport = transport;
  }

  /** A zone changed somewhere in the cluster (from the `changed` channel). */
  zoneChanged(zone: ZoneId): void {
    this.#summaries = null;
    // A viewer of our camera may have left quietly on a node that shut down: its pairing is held
    // for a grace period, and only we can tell the camera when it ends.
    if ([...this.#published.values()].includes(zone)) this.#expireHeldLater(zone, this.resumeGraceMs);
    this.events.emit('changed', zone);
  }

  async publishCheck(camera: Participant, zone: ZoneId, resumeToken: string): Promise<ProtocolError | 'already' | null> {
    const own = ownPublishRule(this.#published.get(camera.id), zone);
    if (own !== null) return own;
    const [holder, tok] = await this.redis.hmGet(this.#key('zone', zone), ['cam', 'tok']);
    return holder && tok !== hashToken(resumeToken) ? presenceRefusal.zoneBusy(zone) : null;
  }

  async publish(camera: Participant, zone: ZoneId, resumeToken: string, resumePeers: readonly PeerId[] = []): Promise<Ack<PublishResult>> {
    const reply = await this.#run('PUBLISH', [zone, camera.id, this.nodeId, hashToken(resumeToken), nonce(), String(Date.now()), String(this.resumeGraceMs), ...resumePeers]);
    switch (reply[0]) {
      case 'already': return { ok: true, zone, replacedStaleSession: false, resumedPeers: [] };
      case 'already_publishing': return { ok: false, error: presenceRefusal.alreadyPublishing(reply[1]!) };
      case 'busy': return { ok: false, error: presenceRefusal.zoneBusy(zone) };
    }
    const stale = reply[1]!;
    const keptCount = Number(reply[2]);
    const resumedPeers = reply.slice(3, 3 + keptCount) as PeerId[];
    this.#local.set(camera.id, camera);
    this.#published.set(camera.id, zone);
    if (stale) this.#evict(stale);
    for (let i = 3 + keptCount; i < reply.length; i += 3) {
      if (reply[i + 2] !== '1') this.#send(camera.id, 'viewer:joined', { zone, peerId: reply[i + 1] });
      this.#send(reply[i]!, 'zone:state', { zone, state: 'live' });
    }
    if (keptCount > 0) this.#expireHeldLater(zone, this.resumeGraceMs);
    this.events.emit('published', zone, camera, stale !== '');
    await this.#announce(zone);
    return { ok: true, zone, replacedStaleSession: stale !== '', resumedPeers };
  }

  async unpublish(camera: Participant, zone: ZoneId): Promise<Ack> {
    if (this.#published.get(camera.id) !== zone) {
      return { ok: false, error: presenceRefusal.notPublishing(zone) };
    }
    await this.#endPublish(camera, zone, 'requested');
    return { ok: true };
  }

  async watchCheck(viewer: Participant, zone: ZoneId): Promise<ProtocolError | 'already' | null> {
    return watchRule(this.#watching.get(viewer.id), zone);
  }

  async watch(viewer: Participant, zone: ZoneId, resumePeerId?: PeerId): Promise<Ack<WatchResult>> {
    const reply = await this.#run('WATCH', [zone, viewer.id, this.nodeId, nonce(), String(Limits.maxWatchedZones), resumePeerId ?? '', String(Date.now())]);
    if (reply[0] === 'limit') return { ok: false, error: presenceRefusal.watchLimit() };
    const state = reply[1] as 'live' | 'waiting';
    if (reply[0] === 'already') return { ok: true, zone, state, resumed: false };
    this.#local.set(viewer.id, viewer);
    const watched = this.#watching.get(viewer.id) ?? new Set<ZoneId>();
    watched.add(zone);
    this.#watching.set(viewer.id, watched);
    const resumed = reply[4] === '1';
    if (state === 'live' && !resumed) this.#send(reply[2]!, 'viewer:joined', { zone, peerId: reply[3] });
    this.events.emit('watchStarted', zone, viewer);
    await this.#announce(zone);
    return { ok: true, zone, state, resumed };
  }

  async unwatch(viewer: Participant, zone: ZoneId, reason: 'requested' | 'access_revoked' = 'requested'): Promise<Ack> {
    if (!this.#watching.get(viewer.id)?.has(zone)) {
      return { ok: false, error: presenceRefusal.notWatching(zone) };
    }
    await this.#endWatch(viewer, zone, reason);
    return { ok: true };
  }

  watchedBy(viewer: Participant): ZoneId[] {
    return [...(this.#watching.get(viewer.id) ?? [])];
  }

  async leave(participant: Participant, quietly = false): Promise<void> {
    const published = this.#published.get(participant.id);
    if (published !== undefined) await this.#endPublish(participant, published, 'disconnected', quietly);
    for (const zone of [...(this.#watching.get(participant.id) ?? [])]) await this.#endWatch(participant, zone, 'disconnected', quietly);
    this.#local.delete(participant.id);
    await this.redis.sRem(this.#key('node', this.nodeId), participant.id);
  }

  /** A cluster's media is peer to peer (the relay needs the in-process presence): nothing retires. */
  async retire(): Promise<Ack> {
    return { ok: false, error: protocolError('PEER_UNKNOWN') };
  }

  pathFor(): 'p2p' {
    return 'p2p';
  }

  async route(sender: Participant, peerId: PeerId): Promise<Ack<Route>> {
    const [zone, cam, viewer] = await this.redis.hmGet(this.#key('peer', peerId), ['zone', 'cam', 'viewer']);
    const other = cam === sender.id ? viewer : viewer === sender.id ? cam : null;
    if (!zone || !other) return { ok: false, error: protocolError('PEER_UNKNOWN') };
    return { ok: true, target: this.#participant(other), zone: zone as ZoneId };
  }

  summaries(): Promise<ZoneSummary[]> {
    const now = Date.now();
    if (!this.#summaries || now - this.#summaries.at > SUMMARY_CACHE_MS) {
      const value = this.redis.hGetAll(this.#key('dir')).then((dir) => Object.entries(dir)
        .map(([zone, entry]) => ({ zone: zone as ZoneId, cameraOnline: entry.startsWith('1'), viewers: Number(entry.split('|')[1]) }))
        .sort((a, b) => a.zone.localeCompare(b.zone)));
      this.#summaries = { at: now, value };
      value.catch(() => { this.#summaries = null; });
    }
    return this.#summaries.value;
  }

  async summary(zone: ZoneId): Promise<ZoneSummary | null> {
    const entry = await this.redis.hGet(this.#key('dir'), zone);
    return entry ? { zone, cameraOnline: entry.startsWith('1'), viewers: Number(entry.split('|')[1]) } : null;
  }

  /** This node's own share, for its metrics (the cluster total is their sum). */
  localCounts(): { cameras: number; views: number } {
    let views = 0;
    for (const zones of this.#watching.values()) views += zones.size;
    return { cameras: this.#published.size, views };
  }

  /**
   * Releases everything a connection of a dead node held, telling the survivors (its peers) as
   * if it had left. Its audit entries are closed separately (the trail's crash recovery).
   */
  async releaseRemote(sid: string): Promise<void> {
    const zone = await this.redis.get(this.#key('pub', sid));
    if (zone) await this.#endPublish(this.#participant(sid), zone as ZoneId, 'disconnected');
    for (const watched of await this.redis.sMembers(this.#key('watch', sid))) {
      await this.#endWatch(this.#participant(sid), watched as ZoneId, 'disconnected');
    }
  }

  async close(): Promise<void> {
    for (const timer of this.#expiries.values()) clearTimeout(timer);
    this.#expiries.clear();
    this.#local.clear();
  }

  /** `quietly`: this node is shutting down; viewers are not told, and claim their peers instead. */
  async #endPublish(camera: Participant, zone: ZoneId, reason: EndReason, quietly = false): Promise<void> {
    const reply = await this.#run('UNPUBLISH', [zone, camera.id, quietly ? '1' : '0']);
    const mine = this.#published.get(camera.id) === zone;
    this.#published.delete(camera.id);
    // 'not': another node took the zone over with this camera's resume token: it was replaced.
    if (reply[0] === 'not') {
      if (mine) this.events.emit('unpublished', zone, camera, 'replaced');
      return;
    }
    if (!quietly) for (const viewer of reply.slice(1)) this.#send(viewer, 'zone:state', { zone, state: 'waiting', reason: 'camera_left' });
    if (mine) this.events.emit('unpublished', zone, camera, reason);
    await this.#announce(zone);
  }

  /** `quietly`: this node is shutting down; the camera is not told, its peer is held for the viewer's return. */
  async #endWatch(viewer: Participant, zone: ZoneId, reason: EndReason, quietly = false): Promise<void> {
    const reply = await this.#run('UNWATCH', [zone, viewer.id, quietly ? '1' : '0', String(Date.now() + this.resumeGraceMs)]);
    const watched = this.#watching.get(viewer.id);
    const mine = watched?.delete(zone) ?? false;
    if (watched?.size === 0) this.#watching.delete(viewer.id);
    if (reply[0] === 'ok' && reply[1]) {
      this.#send(reply[1], 'viewer:left', { zone, peerId: reply[2], reason: peerCloseReasonFor(reason) });
    }
    if (mine) this.events.emit('watchEnded', zone, viewer, reason);
    await this.#announce(zone);
  }

  /** Drops our camera's held pairings of `zone` once their grace has passed, telling the camera. */
  #expireHeldLater(zone: ZoneId, delayMs: number): void {
    if (this.#expiries.has(zone)) return;
    const timer = setTimeout(() => {
      this.#expiries.delete(zone);
      void this.#expireHeld(zone).catch((error: unknown) => this.logger.warn({ err: error, zone }, 'expiring held pairings failed'));
    }, Math.max(0, delayMs) + 50);
    timer.unref();
    this.#expiries.set(zone, timer);
  }

  async #expireHeld(zone: ZoneId): Promise<void> {
    const camera = [...this.#published].find(([, published]) => published === zone)?.[0];
    if (camera === undefined) return;
    const [next, ...expired] = await this.#run('EXPIRE_HELD', [zone, camera, String(Date.now())]);
    for (const peerId of expired) this.#send(camera, 'viewer:left', { zone, peerId, reason: 'viewer_left' });
    if (next) this.#expireHeldLater(zone, Number(next) - Date.now());
  }

  #participant(sid: string): Participant {
    return this.#local.get(sid) ?? {
      id: sid,
      address: '',
      userAgent: '',
      send: (event, ...args) => this.#transport?.deliver(sid, event, args[0]),
      evict: () => this.#transport?.evict(sid),
    };
  }

  #send(sid: string, event: keyof ServerToClientEvents, payload: unknown): void {
    const local = this.#local.get(sid);
    if (local) (local.send as (e: string, p: unknown) => void)(event, payload);
    else this.#transport?.deliver(sid, event, payload);
  }

  #evict(sid: string): void {
    const local = this.#local.get(sid);
    if (local) local.evict('replaced by the same camera on a new connection');
    else this.#transport?.evict(sid);
  }

  /** Every node's directory hears of the change (this one included, through the same channel). */
  async #announce(zone: ZoneId): Promise<void> {
    this.#summaries = null;
    await this.redis.publish(this.#key('changed'), zone).catch((error: unknown) => this.logger.warn({ err: error }, 'zone change not announced'));
  }

  #key(kind: string, id?: string): string {
    return id === undefined ? `${this.prefix}${kind}` : `${this.prefix}${kind}:${id}`;
  }

  async #run(name: ScriptName, args: string[]): Promise<string[]> {
    const argv = [this.prefix, ...args];
    let sha = this.#shas.get(name);
    if (!sha) {
      sha = await this.redis.scriptLoad(SCRIPTS[name]);
      this.#shas.set(name, sha);
    }
    try {
      return (await this.redis.evalSha(sha, { arguments: argv })) as string[];
    } catch (error) {
      // Redis restarted and forgot its scripts: load again once.
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      this.#shas.delete(name);
      sha = await this.redis.scriptLoad(SCRIPTS[name]);
      this.#shas.set(name, sha);
      return (await this.redis.evalSha(sha, { arguments: argv })) as string[];
    }
  }
}
