import type { Ack, PeerId, ProtocolError, PublishResult, WatchResult, ZoneId, ZoneSummary } from '../../shared/index.ts';
import type { SafeEmitter } from '../util/SafeEmitter.ts';
import type { Participant } from './Participant.ts';
import type { ZoneRegistry } from './ZoneRegistry.ts';

/**
 * What happened to this node's own connections in their zones, for the audit trail and the
 * directory. The same events whichever implementation keeps the presence.
 */
export interface ZoneRegistryEvents extends Record<string, unknown[]> {
  /** Something the directory shows about this zone changed (or the zone appeared or vanished). */
  changed: [zone: ZoneId];
  published: [zone: ZoneId, camera: Participant, replacedStaleSession: boolean];
  unpublished: [zone: ZoneId, camera: Participant, reason: EndReason];
  watchStarted: [zone: ZoneId, viewer: Participant];
  watchEnded: [zone: ZoneId, viewer: Participant, reason: EndReason];
}

/**
 * Why a view or a publish ended, for the audit trail. The other end hears a PeerCloseReason
 * (the wire's vocabulary, see presenceRules.peerCloseReasonFor); a crash is `server_crash`,
 * written by the trail's recovery, never by presence.
 */
export type EndReason = 'requested' | 'disconnected' | 'replaced' | 'access_revoked';

/** Where a signalling message about a peer goes: the other end's connection, and the zone. */
export type Route = { target: Participant; zone: ZoneId };

/**
 * Who publishes and who watches each zone, and the peer pairings between them: in this process
 * (`LocalPresence`, one box) or shared by every node through Redis (`RedisPresence`, a cluster).
 * Participants passed in are always this node's own connections; `events` report what happened
 * to them (for the audit trail), and `changed` fires for a zone that changed anywhere.
 */
export interface ZonePresence {
  readonly events: SafeEmitter<ZoneRegistryEvents>;
  publishCheck(camera: Participant, zone: ZoneId, resumeToken: string): Promise<ProtocolError | 'already' | null>;
  /** `resumePeers`: connections the camera still has, kept for the viewers that claim them (see ZoneRegistry.publish). */
  publish(camera: Participant, zone: ZoneId, resumeToken: string, resumePeers?: readonly PeerId[]): Promise<Ack<PublishResult>>;
  unpublish(camera: Participant, zone: ZoneId): Promise<Ack>;
  watchCheck(viewer: Participant, zone: ZoneId): Promise<ProtocolError | 'already' | null>;
  /** `resumePeerId`: the connection the viewer still plays, kept when the camera still has it (see ZoneRegistry.watch). */
  watch(viewer: Participant, zone: ZoneId, resumePeerId?: PeerId): Promise<Ack<WatchResult>>;
  unwatch(viewer: Participant, zone: ZoneId, reason?: 'requested' | 'access_revoked'): Promise<Ack>;
  /** The zones a connection of this node watches now. */
  watchedBy(viewer: Participant): ZoneId[];
  /** `quietly`: this node is shutting down; survivors are not told (see ZoneRegistry.leave). */
  leave(participant: Participant, quietly?: boolean): Promise<void>;
  route(sender: Participant, peerId: PeerId): Promise<Ack<Route>>;
  /** How a view of `zone` starting now would get its video. */
  pathFor(zone: ZoneId): 'p2p' | 'relay';
  /**
   * The zone's recording changed (RelayPlan.pinned): a camera of this node publishing it moves to
   * the relay now, or lets it go. In a cluster, from the camera's next publish.
   */
  repin(zone: ZoneId): Promise<void>;
  /** The viewer stopped playing `peerId`, the connection it kept while switching to the relay. */
  retire(viewer: Participant, peerId: PeerId): Promise<Ack>;
  summaries(): Promise<ZoneSummary[]>;
  summary(zone: ZoneId): Promise<ZoneSummary | null>;
  /** What this node's own connections hold, for its metrics (a cluster's total is the sum over nodes). */
  localCounts(): { cameras: number; views: number };
  close(): Promise<void>;
}

/** One box: the in-process ZoneRegistry behind the asynchronous interface. */
export class LocalPresence implements ZonePresence {
  constructor(private readonly registry: ZoneRegistry) {}

  get events() { return this.registry.events; }
  async publishCheck(camera: Participant, zone: ZoneId, token: string) { return this.registry.publishCheck(camera, zone, token); }
  async publish(camera: Participant, zone: ZoneId, token: string, resumePeers?: readonly PeerId[]) { return this.registry.publish(camera, zone, token, resumePeers); }
  async unpublish(camera: Participant, zone: ZoneId) { return this.registry.unpublish(camera, zone); }
  async watchCheck(viewer: Participant, zone: ZoneId) { return this.registry.watchCheck(viewer, zone); }
  async watch(viewer: Participant, zone: ZoneId, resumePeerId?: PeerId) { return this.registry.watch(viewer, zone, resumePeerId); }
  async unwatch(viewer: Participant, zone: ZoneId, reason?: 'requested' | 'access_revoked') { return this.registry.unwatch(viewer, zone, reason); }
  watchedBy(viewer: Participant) { return this.registry.watchedBy(viewer); }
  async leave(participant: Participant, quietly?: boolean) { this.registry.leave(participant, quietly); }
  async route(sender: Participant, peerId: PeerId) { return this.registry.route(sender, peerId); }
  async retire(viewer: Participant, peerId: PeerId) { return this.registry.retire(viewer, peerId); }
  pathFor(zone: ZoneId) { return this.registry.pathFor(zone); }
  async repin(zone: ZoneId) { this.registry.repin(zone); }
  async summaries() { return this.registry.summaries(); }
  async summary(zone: ZoneId) { return this.registry.summary(zone); }
  localCounts() {
    const zones = this.registry.summaries();
    return { cameras: zones.filter((z) => z.cameraOnline).length, views: zones.reduce((n, z) => n + z.viewers, 0) };
  }
  async close() { this.registry.close(); }
}
