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
import { publishesThroughRelay, type Participant } from './Participant.ts';
import { ownPublishRule, peerCloseReasonFor, presenceRefusal, watchRule } from './presenceRules.ts';
import type { EndReason, Route, ZonePresence, ZoneRegistryEvents } from './ZonePresence.ts';
import type { RedisClient } from '../cluster/redisClient.ts';
import { EXPIRE_HELD, EXPIRE_RETIRING, PUBLISH, RESET_RELAY, RETIRE, UNPUBLISH, UNWATCH, WATCH } from './redisPresenceScripts.ts';
import type { RelayPlan } from './ZoneRegistry.ts';

/** How this node reaches a connection that may live on another node (Socket.IO's Redis adapter). */
export interface ClusterTransport {
  deliver(sid: string, event: keyof ServerToClientEvents, payload: unknown): void;
  evict(sid: string): void;
}

/**
 * The media relay of a cluster node (MediaRelay): the relay plan, plus the viewer count above
 * which a zone is relayed (null: never), which the Lua scripts apply to the cluster-wide count.
 */
export interface ClusterRelayPlan extends RelayPlan {
  readonly relayAbove: number | null;
}

/** A message for the relay of `zone` on another node, over that node's channel (see Cluster). */
export interface RelayMessage {
  zone: ZoneId;
  /** A server→client event for the relay's participant, or `released`: the zone no longer uses this node's relay. */
  event: keyof ServerToClientEvents | 'released';
  payload?: unknown;
}

const SCRIPTS = { PUBLISH, UNPUBLISH, WATCH, UNWATCH, EXPIRE_HELD, RETIRE, EXPIRE_RETIRING, RESET_RELAY } as const;
type ScriptName = keyof typeof SCRIPTS;
/** A script's own reply and what it says to tell whom (see redisPresenceScripts.ts). */
type ScriptReply = [head: string[], effects: string[]];

const RELAY_SID = 'relay:';
/** The channel a node's relay hears on (Cluster subscribes to its own). */
export const relayChannel = (prefix: string, node: string): string => `${prefix}relay:${node}`;

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
 *
 * With a relay plan (`useRelay`), a zone's relay lives on its camera's node (Redis records which);
 * viewers anywhere are paired with it, and their signalling reaches it over that node's Redis
 * channel (`relayChannel`), while its answers go back through Socket.IO's adapter like any other.
 * A participant that is not a socket (a WHEP player, a WHIP encoder) is reachable only on its own
 * node: a WHIP camera's relay is on its node anyway, but a WHEP player on another node than the
 * camera's is not served yet (its offer and the relay's answer would need that node's channel too).
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
  /** Zone → the timer that closes pairings still retiring after a switch to the relay. */
  readonly #retirements = new Map<ZoneId, NodeJS.Timeout>();
  #relay: ClusterRelayPlan | null = null;
  #relaySwitchMs: number = Timing.relaySwitchMs;
  /** What watchCheck read of a zone, for pathFor (asked right after it, before the view starts). */
  readonly #looked = new Map<ZoneId, { relayed: boolean; viewers: number }>();

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

  /** This node relays media: zones whose camera is here are served by `plan`'s workers. */
  useRelay(plan: ClusterRelayPlan, relaySwitchMs: number = Timing.relaySwitchMs): void {
    this.#relay = plan;
    this.#relaySwitchMs = relaySwitchMs;
  }

  /** A message for this node's relay, sent by another node (from this node's relay channel). */
  relayMessage(message: RelayMessage): void {
    if (!this.#relay) {
      this.logger.warn({ zone: message.zone, event: message.event }, 'a relay message reached a node that does not relay');
      return;
    }
    if (message.event === 'released') this.#relay.released(message.zone);
    else (this.#relay.participantFor(message.zone).send as (event: string, payload: unknown) => void)(message.event, message.payload);
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
    // A recorded zone's camera goes through its node's relay like a WHIP encoder's.
    const whip = publishesThroughRelay(camera) || (this.#relay?.pinned(zone) ?? false);
    const [reply, effects] = await this.#run('PUBLISH', [
      zone, camera.id, this.nodeId, hashToken(resumeToken), nonce(), String(Date.now()), String(this.resumeGraceMs),
      whip ? '1' : '0', this.#relay?.relayAbove != null ? '1' : '0', ...resumePeers,
    ]);
    switch (reply[0]) {
      case 'already': return { ok: true, zone, replacedStaleSession: false, resumedPeers: [] };
      case 'already_publishing': return { ok: false, error: presenceRefusal.alreadyPublishing(reply[1]!) };
      case 'busy': return { ok: false, error: presenceRefusal.zoneBusy(zone) };
    }
    const stale = reply[1]!;
    const resumedPeers = reply.slice(2) as PeerId[];
    this.#local.set(camera.id, camera);
    this.#published.set(camera.id, zone);
    if (stale) this.#evict(stale);
    this.#apply(zone, effects);
    if (resumedPeers.length > 0) this.#expireHeldLater(zone, this.resumeGraceMs);
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
    const check = watchRule(this.#watching.get(viewer.id), zone);
    if (check === null && this.#relay?.relayAbove != null) {
      // pathFor is asked next, synchronously: read the zone's relay state and viewers now.
      const [relayed, viewers] = await Promise.all([this.redis.hExists(this.#key('zone', zone), 'relay'), this.redis.hLen(this.#key('viewers', zone))]);
      this.#looked.set(zone, { relayed: Boolean(relayed), viewers: Number(viewers) });
    }
    return check;
  }

  async watch(viewer: Participant, zone: ZoneId, resumePeerId?: PeerId): Promise<Ack<WatchResult>> {
    this.#looked.delete(zone);
    const relayAbove = this.#relay?.relayAbove;
    const [reply, effects] = await this.#run('WATCH', [
      zone, viewer.id, this.nodeId, nonce(), String(Limits.maxWatchedZones), resumePeerId ?? '', String(Date.now()),
      relayAbove == null ? '' : String(relayAbove), viewer.ownOffer !== undefined ? '1' : '0', String(this.#relaySwitchMs),
    ]);
    if (reply[0] === 'limit') return { ok: false, error: presenceRefusal.watchLimit() };
    const state = reply[1] as 'live' | 'waiting';
    if (reply[0] === 'already') return { ok: true, zone, state, resumed: false };
    this.#local.set(viewer.id, viewer);
    const watched = this.#watching.get(viewer.id) ?? new Set<ZoneId>();
    watched.add(zone);
    this.#watching.set(viewer.id, watched);
    const resumed = reply[2] === '1';
    this.#apply(zone, effects);
    if (reply[3] === '1') this.#expireRetiringLater(zone, this.#relaySwitchMs);
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

  /**
   * A recorded zone's camera is seated through the relay by the PUBLISH script: a change applies
   * from the camera's next publish (moving a live zone's viewers is the single box's, for now).
   */
  async repin(_zone: ZoneId): Promise<void> {}

  /** The viewer stopped playing its retiring peer-to-peer pairing (`signal:close`): its camera closes it. */
  async retire(viewer: Participant, peerId: PeerId): Promise<Ack> {
    const zones = this.watchedBy(viewer);
    if (zones.length === 0) return { ok: false, error: protocolError('PEER_UNKNOWN') };
    const [reply, effects] = await this.#run('RETIRE', [viewer.id, peerId, ...zones]);
    if (reply[0] !== 'ok') return { ok: false, error: protocolError('PEER_UNKNOWN') };
    this.#apply(reply[1] as ZoneId, effects);
    return { ok: true };
  }

  /**
   * How a view of `zone` starting now would get its video, from what watchCheck read of the zone
   * just before (the WATCH script decides again, atomically, with the cluster-wide count).
   */
  pathFor(zone: ZoneId): 'p2p' | 'relay' {
    const relayAbove = this.#relay?.relayAbove;
    if (relayAbove == null) return 'p2p';
    const looked = this.#looked.get(zone);
    if (looked?.relayed) return 'relay';
    return (looked?.viewers ?? 0) + 1 > relayAbove ? 'relay' : 'p2p';
  }

  async route(sender: Participant, peerId: PeerId): Promise<Ack<Route>> {
    const [zone, cam, viewer, rnode] = await this.redis.hmGet(this.#key('peer', peerId), ['zone', 'cam', 'viewer', 'rnode']);
    const other = cam === sender.id ? viewer : viewer === sender.id ? cam : null;
    if (!zone || !other) return { ok: false, error: protocolError('PEER_UNKNOWN') };
    return { ok: true, target: this.#participant(other, zone as ZoneId, rnode ?? undefined), zone: zone as ZoneId };
  }

  /**
   * This node's relay worker lost the zone (it died and was restarted): the camera and every
   * viewer are paired with the relay again, as ZoneRegistry.resetRelay does.
   */
  async resetRelay(zone: ZoneId): Promise<void> {
    const [, effects] = await this.#run('RESET_RELAY', [zone, this.nodeId, nonce()]);
    this.#apply(zone, effects);
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
    for (const timer of [...this.#expiries.values(), ...this.#retirements.values()]) clearTimeout(timer);
    this.#expiries.clear();
    this.#retirements.clear();
    this.#local.clear();
  }

  /** `quietly`: this node is shutting down; viewers are not told, and claim their peers instead. */
  async #endPublish(camera: Participant, zone: ZoneId, reason: EndReason, quietly = false): Promise<void> {
    const [reply, effects] = await this.#run('UNPUBLISH', [zone, camera.id, quietly ? '1' : '0']);
    const mine = this.#published.get(camera.id) === zone;
    this.#published.delete(camera.id);
    // 'not': another node took the zone over with this camera's resume token: it was replaced.
    if (reply[0] === 'not') {
      if (mine) this.events.emit('unpublished', zone, camera, 'replaced');
      return;
    }
    this.#apply(zone, effects);
    if (mine) this.events.emit('unpublished', zone, camera, reason);
    await this.#announce(zone);
  }

  /** `quietly`: this node is shutting down; the camera is not told, its peer is held for the viewer's return. */
  async #endWatch(viewer: Participant, zone: ZoneId, reason: EndReason, quietly = false): Promise<void> {
    const [, effects] = await this.#run('UNWATCH', [zone, viewer.id, quietly ? '1' : '0', String(Date.now() + this.resumeGraceMs), peerCloseReasonFor(reason)]);
    const watched = this.#watching.get(viewer.id);
    const mine = watched?.delete(zone) ?? false;
    if (watched?.size === 0) this.#watching.delete(viewer.id);
    this.#apply(zone, effects);
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
    const [[next], effects] = await this.#run('EXPIRE_HELD', [zone, camera, String(Date.now())]);
    this.#apply(zone, effects);
    if (next) this.#expireHeldLater(zone, Number(next) - Date.now());
  }

  /** Closes the zone's pairings still retiring once their switch time has passed (any node may do it). */
  #expireRetiringLater(zone: ZoneId, delayMs: number): void {
    if (this.#retirements.has(zone)) return;
    const timer = setTimeout(() => {
      this.#retirements.delete(zone);
      void this.#run('EXPIRE_RETIRING', [zone, String(Date.now())]).then(([[next], effects]) => {
        this.#apply(zone, effects);
        if (next) this.#expireRetiringLater(zone, Number(next) - Date.now());
      }).catch((error: unknown) => this.logger.warn({ err: error, zone }, 'closing retired pairings failed'));
    }, Math.max(0, delayMs) + 50);
    timer.unref();
    this.#retirements.set(zone, timer);
  }

  /** Tells each target what a script said to (see redisPresenceScripts.ts for the quintuples). */
  #apply(zone: ZoneId, effects: string[]): void {
    for (let i = 0; i + 4 < effects.length; i += 5) {
      const [target, kind, peerId, reason, node] = effects.slice(i, i + 5) as [string, string, PeerId, string, string];
      const to = (event: keyof ServerToClientEvents, payload: unknown) => {
        if (target.startsWith(RELAY_SID)) this.#toRelay(node, zone, event, payload);
        else this.#send(target, event, payload);
      };
      switch (kind) {
        case 'joined': to('viewer:joined', { zone, peerId }); break;
        case 'left': to('viewer:left', { zone, peerId, reason }); break;
        case 'live': to('zone:state', { zone, state: 'live' }); break;
        case 'waiting': to('zone:state', { zone, state: 'waiting', reason }); break;
        case 'released': this.#toRelay(node, zone, 'released'); break;
        case 'audience': this.#send(target, 'zone:audience', { zone, viewers: Number(reason), relayed: node === '1' }); break;
        default: this.logger.error({ kind }, 'unknown presence effect');
      }
    }
  }

  /** A message for the relay of `zone` on `node`: this node's own, or over that node's channel. */
  #toRelay(node: string, zone: ZoneId, event: RelayMessage['event'], payload?: unknown): void {
    if (node === this.nodeId) {
      this.relayMessage({ zone, event, payload });
      return;
    }
    if (!node) return;
    const message: RelayMessage = { zone, event, payload };
    this.redis.publish(relayChannel(this.prefix, node), JSON.stringify(message))
      .catch((error: unknown) => this.logger.warn({ err: error, zone, event }, 'relay message not sent'));
  }

  /** `rnode`: for the relay's participant, the node whose relay holds the zone. */
  #participant(sid: string, zone?: ZoneId, rnode?: string): Participant {
    if (sid.startsWith(RELAY_SID) && zone !== undefined && rnode !== undefined) {
      if (rnode === this.nodeId && this.#relay) return this.#relay.participantFor(zone);
      return {
        id: sid,
        address: 'relay',
        userAgent: 'vigil-relay',
        send: (event, ...args) => this.#toRelay(rnode, zone, event, args[0]),
        evict: () => undefined,
      };
    }
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

  async #run(name: ScriptName, args: string[]): Promise<ScriptReply> {
    const argv = [this.prefix, ...args];
    let sha = this.#shas.get(name);
    if (!sha) {
      sha = await this.redis.scriptLoad(SCRIPTS[name]);
      this.#shas.set(name, sha);
    }
    try {
      return (await this.redis.evalSha(sha, { arguments: argv })) as ScriptReply;
    } catch (error) {
      // Redis restarted and forgot its scripts: load again once.
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      this.#shas.delete(name);
      sha = await this.redis.scriptLoad(SCRIPTS[name]);
      this.#shas.set(name, sha);
      return (await this.redis.evalSha(sha, { arguments: argv })) as ScriptReply;
    }
  }
}
