import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  protocolError,
  Timing,
  type Ack,
  type PeerCloseReason,
  type PeerId,
  type ProtocolError,
  type PublishResult,
  type WatchResult,
  type ZoneId,
  type ZoneSummary,
} from '../../shared/index.ts';
import { SafeEmitter } from '../util/SafeEmitter.ts';
import { publishesThroughRelay, type Participant } from './Participant.ts';
import { ownPublishRule, peerCloseReasonFor, presenceRefusal, watchRule } from './presenceRules.ts';
import type { EndReason, Route, ZoneRegistryEvents } from './ZonePresence.ts';

/** One camera↔viewer pairing in one zone; the unit every signalling message is addressed to. */
interface Peer {
  readonly id: PeerId;
  readonly zone: ZoneId;
  readonly camera: Participant;
  readonly viewer: Participant;
}

interface CameraSlot {
  readonly participant: Participant;
  readonly resumeTokenHash: Buffer;
  /** Peers the camera asked to keep that no viewer has claimed yet, each until its grace ends. */
  readonly held: Map<PeerId, NodeJS.Timeout>;
  /** Its video goes through the relay whoever watches (WHIP, an IP camera, a recorded zone). */
  throughRelay: boolean;
}

interface ViewerEntry {
  readonly participant: Participant;
  /** Its current peer with this zone's camera or relay (null while waiting). */
  peerId: PeerId | null;
  /** Its peer-to-peer connection, playing until the relay's shows a picture (make before break). */
  retiring: { peerId: PeerId; timer: NodeJS.Timeout } | null;
  /** The peer whose connection it still plays, claimed for when the camera comes back. */
  claim: PeerId | null;
}

interface RelaySlot {
  /** The relay as the zone's participants see it: the camera's viewer, the viewers' camera. */
  readonly participant: Participant;
  /** The camera→relay pairing (null while the zone has no camera). */
  ingestPeerId: PeerId | null;
}

interface Zone {
  readonly id: ZoneId;
  camera: CameraSlot | null;
  /** Set while the zone's viewers are served by the media relay instead of the camera. */
  relay: RelaySlot | null;
  /** Viewer participant id → its entry. */
  readonly viewers: Map<string, ViewerEntry>;
}

export interface ZoneRegistryOptions {
  /** How long a peer the camera asked to keep waits for its viewer (Timing.resumeGraceMs). */
  resumeGraceMs?: number;
  /** How long a viewer's peer-to-peer connection outlives its switch to the relay (Timing.relaySwitchMs). */
  relaySwitchMs?: number;
  /** Without it, media is always peer to peer. */
  relay?: RelayPlan;
}

/**
 * When a zone's viewers go through the media relay, and the relay's participant for a zone. The
 * registry pairs that participant like any other: with the camera as its viewer (one encode),
 * and with every viewer as its camera.
 */
export interface RelayPlan {
  /** Asked as a view starts, with the number of viewers the zone will have. */
  wanted(zone: ZoneId, viewers: number): boolean;
  participantFor(zone: ZoneId): Participant;
  /** The zone no longer uses the relay (its last viewer left). */
  released(zone: ZoneId): void;
  /** The zone's camera goes through the relay even with no viewer: its evidence is recorded there. */
  pinned(zone: ZoneId): boolean;
}

const summarise = (zone: Zone): ZoneSummary => ({ zone: zone.id, cameraOnline: zone.camera !== null, viewers: zone.viewers.size });
const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();
const newPeerId = (): PeerId => randomBytes(12).toString('base64url');

/**
 * Zone presence for one gateway process: which camera publishes each zone, who watches it,
 * and the peer pairings between them. Pure bookkeeping plus notifications; no transport.
 */
export class ZoneRegistry {
  readonly #zones = new Map<ZoneId, Zone>();
  readonly #peers = new Map<PeerId, Peer>();
  /** Camera participant id → the zone it publishes. */
  readonly #publishing = new Map<string, ZoneId>();
  /** Viewer participant id → zones it watches. */
  readonly #watching = new Map<string, Set<ZoneId>>();
  readonly events: SafeEmitter<ZoneRegistryEvents>;
  readonly #resumeGraceMs: number;
  readonly #relaySwitchMs: number;
  readonly #relayPlan: RelayPlan | null;

  constructor(onListenerError: (error: unknown, event: string) => void, options: ZoneRegistryOptions = {}) {
    this.events = new SafeEmitter<ZoneRegistryEvents>((error, event) => onListenerError(error, String(event)));
    this.#resumeGraceMs = options.resumeGraceMs ?? Timing.resumeGraceMs;
    this.#relaySwitchMs = options.relaySwitchMs ?? Timing.relaySwitchMs;
    this.#relayPlan = options.relay ?? null;
  }

  /**
   * What publish() would answer, without doing it: `null` when it would start a new publish,
   * `'already'` when this connection already publishes the zone, else the refusal.
   */
  publishCheck(camera: Participant, zoneId: ZoneId, resumeToken: string): ProtocolError | 'already' | null {
    const own = ownPublishRule(this.#publishing.get(camera.id), zoneId);
    if (own !== null) return own;
    const holder = this.#zones.get(zoneId)?.camera;
    if (holder && !timingSafeEqual(holder.resumeTokenHash, hashToken(resumeToken))) return presenceRefusal.zoneBusy(zoneId);
    return null;
  }

  /** What watch() would answer: `null` for a new view, `'already'` when watching, else the refusal. */
  watchCheck(viewer: Participant, zoneId: ZoneId): ProtocolError | 'already' | null {
    return watchRule(this.#watching.get(viewer.id), zoneId);
  }

  /**
   * Seats the camera. `resumePeers` are the connections it still has (its signalling came back
   * after a gateway restart or a blip): a waiting viewer that claims one of them is paired with it
   * again under the same peer id, with no new offer; the others are held for their viewer for
   * the grace period. Every other viewer gets a new peer and the camera a `viewer:joined`.
   */
  publish(camera: Participant, zoneId: ZoneId, resumeToken: string, resumePeers: readonly PeerId[] = []): Ack<PublishResult> {
    const check = this.publishCheck(camera, zoneId, resumeToken);
    if (check === 'already') return { ok: true, zone: zoneId, replacedStaleSession: false, resumedPeers: [] };
    if (check) return { ok: false, error: check };
    let zone = this.#zoneFor(zoneId);
    const tokenHash = hashToken(resumeToken);
    let replacedStaleSession = false;
    if (zone.camera) {
      // The same camera came back on a new connection before its old one timed out: take over.
      // Its viewers keep claiming their peers: the new connection may still have them.
      const stale = zone.camera.participant;
      this.#removeCamera(zone, 'camera_replaced', false, 'replaced', true);
      stale.evict('replaced by the same camera on a new connection');
      replacedStaleSession = true;
      zone = this.#zoneFor(zoneId); // removal drops a zone nobody watches
    }
    // A peer id still in use by another pairing is not this camera's to keep.
    const kept = [...new Set(resumePeers)].filter((peerId) => !this.#peers.has(peerId));
    const slot: CameraSlot = { participant: camera, resumeTokenHash: tokenHash, held: new Map(), throughRelay: this.#throughRelay(camera, zoneId) };
    zone.camera = slot;
    this.#publishing.set(camera.id, zoneId);
    const claimable = new Set(kept);
    // An encoder that offers over HTTP (WHIP), an IP camera or a recorded zone's camera reaches its viewers through the relay only.
    if (!zone.relay && slot.throughRelay) this.#attachRelay(zone);
    this.#openIngest(zone);
    for (const viewer of zone.viewers.values()) {
      const claim = viewer.claim;
      viewer.claim = null;
      // A relayed zone's viewers get the relay's connection: the camera's old ones are not theirs.
      if (claim !== null && zone.relay === null && claimable.delete(claim)) this.#pair(zone, viewer, claim);
      else viewer.peerId = this.#openPeer(zone, viewer.participant);
      viewer.participant.send('zone:state', { zone: zoneId, state: 'live' });
    }
    for (const peerId of claimable) this.#hold(zone, slot, peerId);
    this.events.emit('published', zoneId, camera, replacedStaleSession);
    this.#tellAudience(zone);
    this.events.emit('changed', zoneId);
    return { ok: true, zone: zoneId, replacedStaleSession, resumedPeers: kept };
  }

  unpublish(camera: Participant, zoneId: ZoneId): Ack {
    const zone = this.#zones.get(zoneId);
    if (!zone || zone.camera?.participant !== camera) {
      return { ok: false, error: presenceRefusal.notPublishing(zoneId) };
    }
    this.#removeCamera(zone, 'camera_left', true, 'requested');
    return { ok: true };
  }

  /**
   * Starts a view. `resumePeerId` is the connection the viewer still plays for the zone: when the
   * camera holds that peer (it asked to keep it), the two are paired again with no new offer;
   * while the zone has no camera the claim waits with the view, for the camera's next publish.
   */
  watch(viewer: Participant, zoneId: ZoneId, resumePeerId?: PeerId): Ack<WatchResult> {
    const check = this.watchCheck(viewer, zoneId);
    if (check === 'already') return { ok: true, zone: zoneId, state: this.#zones.get(zoneId)?.camera ? 'live' : 'waiting', resumed: false };
    if (check) return { ok: false, error: check };
    const watched = this.#watching.get(viewer.id) ?? new Set<ZoneId>();
    const zone = this.#zoneFor(zoneId);
    watched.add(zoneId);
    this.#watching.set(viewer.id, watched);
    const entry: ViewerEntry = { participant: viewer, peerId: null, retiring: null, claim: null };
    zone.viewers.set(viewer.id, entry);
    if (zone.relay === null && this.#relayPlan && (viewer.ownOffer !== undefined || this.#relayPlan.wanted(zoneId, zone.viewers.size))) this.#attachRelay(zone);
    let resumed = false;
    const held = resumePeerId === undefined || zone.relay ? undefined : zone.camera?.held.get(resumePeerId);
    if (held !== undefined) {
      clearTimeout(held);
      zone.camera!.held.delete(resumePeerId!);
      this.#pair(zone, entry, resumePeerId!);
      resumed = true;
    } else if (zone.camera) {
      entry.peerId = this.#openPeer(zone, viewer);
    } else if (resumePeerId !== undefined && !this.#peers.has(resumePeerId)) {
      entry.claim = resumePeerId;
    }
    this.events.emit('watchStarted', zoneId, viewer);
    this.#tellAudience(zone);
    this.events.emit('changed', zoneId);
    return { ok: true, zone: zoneId, state: zone.camera ? 'live' : 'waiting', resumed };
  }

  /** Ends a view; with `access_revoked` the camera is told so, and closes that peer. */
  unwatch(viewer: Participant, zoneId: ZoneId, reason: 'requested' | 'access_revoked' = 'requested'): Ack {
    const zone = this.#zones.get(zoneId);
    if (!zone?.viewers.has(viewer.id)) {
      return { ok: false, error: presenceRefusal.notWatching(zoneId) };
    }
    this.#removeViewer(zone, viewer, reason);
    return { ok: true };
  }

  /**
   * The viewer no longer plays `peerId`: the connection it kept while its relay connection
   * started (`signal:close`). Only a retiring peer can be closed this way.
   */
  retire(viewer: Participant, peerId: PeerId): Ack {
    for (const zoneId of this.#watching.get(viewer.id) ?? []) {
      const entry = this.#zones.get(zoneId)?.viewers.get(viewer.id);
      if (entry?.retiring?.peerId === peerId) {
        this.#closeRetiring(entry);
        return { ok: true };
      }
    }
    return { ok: false, error: protocolError('PEER_UNKNOWN') };
  }

  /**
   * The zone's recording was turned on or off while its camera publishes: on, the camera's video
   * moves to the relay now (its viewers make before break, as when a zone outgrows peer to
   * peer); off, the relay is let go once nobody watches through it.
   */
  repin(zoneId: ZoneId): void {
    const zone = this.#zones.get(zoneId);
    const camera = zone?.camera;
    if (!zone || !camera) return;
    camera.throughRelay = this.#throughRelay(camera.participant, zoneId);
    if (camera.throughRelay && !zone.relay) this.#attachRelay(zone);
    else if (!camera.throughRelay && zone.relay && zone.viewers.size === 0) this.#detachRelay(zone);
    this.#tellAudience(zone);
    this.events.emit('changed', zoneId);
  }

  /** How a view of the zone starting now would get its video. */
  pathFor(zoneId: ZoneId): 'p2p' | 'relay' {
    const zone = this.#zones.get(zoneId);
    if (zone?.relay) return 'relay';
    if (this.#relayPlan?.pinned(zoneId)) return 'relay';
    return this.#relayPlan?.wanted(zoneId, (zone?.viewers.size ?? 0) + 1) ? 'relay' : 'p2p';
  }

  /** Whether the zone's viewers go through the relay now. */
  relayed(zoneId: ZoneId): boolean {
    return this.#zones.get(zoneId)?.relay != null;
  }

  /**
   * The zone's relay lost its connections (its worker died and was restarted), or the camera's
   * connection to it failed: pair the camera and every viewer with it again. Both ends of every
   * old pairing are released (a relay that lost only the camera still serves the viewers' old
   * ones); viewers keep their own dead connection until the new one plays.
   */
  resetRelay(zoneId: ZoneId): void {
    const zone = this.#zones.get(zoneId);
    const relay = zone?.relay;
    if (!zone || !relay) return;
    if (relay.ingestPeerId !== null) {
      this.#closePeer(relay.ingestPeerId, 'viewer_left', true);
      relay.participant.send('viewer:left', { zone: zone.id, peerId: relay.ingestPeerId, reason: 'viewer_left' });
    }
    relay.ingestPeerId = null;
    for (const viewer of zone.viewers.values()) this.#closePeer(viewer.peerId, 'viewer_left', true);
    for (const viewer of zone.viewers.values()) viewer.peerId = null;
    this.#openIngest(zone);
    if (zone.camera) for (const viewer of zone.viewers.values()) viewer.peerId = this.#openPeer(zone, viewer.participant);
  }

    /** The zones a connection watches now. */
  watchedBy(viewer: Participant): ZoneId[] {
    return [...(this.#watching.get(viewer.id) ?? [])];
  }

  /**
   * A connection ended: release everything it held. Idempotent. `quietly` (the gateway is shutting
   * down): nobody is told, so the media already flowing peer to peer goes on, and each pairing is
   * kept for a resume: a camera's viewers claim their peers, a viewer's peer is held for its camera.
   */
  leave(participant: Participant, quietly = false): void {
    const published = this.#publishing.get(participant.id);
    if (published !== undefined) {
      const zone = this.#zones.get(published);
      if (zone?.camera?.participant === participant) this.#removeCamera(zone, 'camera_left', !quietly, 'disconnected', quietly);
    }
    for (const zoneId of [...(this.#watching.get(participant.id) ?? [])]) {
      const zone = this.#zones.get(zoneId);
      if (zone) this.#removeViewer(zone, participant, 'disconnected', quietly);
    }
  }

  /**
   * Where a signalling message about `peerId` from `sender` goes: the other end of that pairing,
   * and nowhere else. Unknown peers and peers the sender is not part of look the same.
   */
  route(sender: Participant, peerId: PeerId): Ack<Route> {
    const peer = this.#peers.get(peerId);
    if (peer?.camera === sender) return { ok: true, target: peer.viewer, zone: peer.zone };
    if (peer?.viewer === sender) return { ok: true, target: peer.camera, zone: peer.zone };
    return { ok: false, error: protocolError('PEER_UNKNOWN') };
  }

  summaries(): ZoneSummary[] {
    return [...this.#zones.values()].map(summarise).sort((a, b) => a.zone.localeCompare(b.zone));
  }

  /** The zone's directory entry, or null when the zone no longer exists. */
  summary(zoneId: ZoneId): ZoneSummary | null {
    const zone = this.#zones.get(zoneId);
    return zone ? summarise(zone) : null;
  }

  get peerCount(): number {
    return this.#peers.size;
  }

  /** Stops the hold timers (the process is going away). */
  close(): void {
    for (const zone of this.#zones.values()) {
      for (const timer of zone.camera?.held.values() ?? []) clearTimeout(timer);
      for (const viewer of zone.viewers.values()) if (viewer.retiring) clearTimeout(viewer.retiring.timer);
    }
  }

  #throughRelay(camera: Participant, zoneId: ZoneId): boolean {
    return this.#relayPlan !== null && (publishesThroughRelay(camera) || this.#relayPlan.pinned(zoneId));
  }

  #zoneFor(zoneId: ZoneId): Zone {
    let zone = this.#zones.get(zoneId);
    if (!zone) this.#zones.set(zoneId, (zone = { id: zoneId, camera: null, relay: null, viewers: new Map() }));
    return zone;
  }

  /** Pairs a viewer with the zone's camera again under a peer id both still have a connection for. */
  #pair(zone: Zone, viewer: ViewerEntry, peerId: PeerId): void {
    this.#peers.set(peerId, { id: peerId, zone: zone.id, camera: zone.camera!.participant, viewer: viewer.participant });
    viewer.peerId = peerId;
  }

  /** Keeps a peer the camera asked for until its viewer claims it, or tells the camera it left. */
  #hold(zone: Zone, slot: CameraSlot, peerId: PeerId): void {
    const timer = setTimeout(() => {
      if (slot.held.delete(peerId)) slot.participant.send('viewer:left', { zone: zone.id, peerId, reason: 'viewer_left' });
    }, this.#resumeGraceMs);
    timer.unref();
    slot.held.set(peerId, timer);
  }

  /** A new pairing of `viewer` with what serves the zone: the relay when it is on, else the camera. */
  #openPeer(zone: Zone, viewer: Participant): PeerId {
    return this.#openPair(zone.id, zone.relay?.participant ?? zone.camera!.participant, viewer);
  }

  /** The camera's one connection to the relay, when the zone has both. */
  #openIngest(zone: Zone): void {
    if (!zone.relay || !zone.camera || zone.relay.ingestPeerId !== null) return;
    zone.relay.ingestPeerId = this.#openPair(zone.id, zone.camera.participant, zone.relay.participant);
  }

  /** `source` (camera or relay) offers `viewer` its video under a new peer id. */
  #openPair(zone: ZoneId, source: Participant, viewer: Participant): PeerId {
    const peer: Peer = { id: newPeerId(), zone, camera: source, viewer };
    this.#peers.set(peer.id, peer);
    source.send('viewer:joined', { zone, peerId: peer.id });
    return peer.id;
  }

  /**
   * Moves the zone's viewers to the relay, make before break: each viewer gets the relay's offer
   * while its peer-to-peer connection keeps playing, until it says the new one shows a picture.
   */
  #attachRelay(zone: Zone): void {
    const plan = this.#relayPlan!;
    zone.relay = { participant: plan.participantFor(zone.id), ingestPeerId: null };
    this.#openIngest(zone);
    // Connections the camera kept for viewers that have not come back: nobody will claim them now.
    for (const [peerId, timer] of zone.camera?.held ?? []) {
      clearTimeout(timer);
      zone.camera!.participant.send('viewer:left', { zone: zone.id, peerId, reason: 'viewer_left' });
    }
    zone.camera?.held.clear();
    for (const viewer of zone.viewers.values()) {
      if (viewer.peerId === null) continue;
      const retiring = viewer.peerId;
      const timer = setTimeout(() => this.#closeRetiring(viewer), this.#relaySwitchMs);
      timer.unref();
      viewer.retiring = { peerId: retiring, timer };
      viewer.peerId = this.#openPeer(zone, viewer.participant);
    }
  }

  /** The zone's last viewer left: the camera's connection to the relay closes too. */
  #detachRelay(zone: Zone): void {
    const relay = zone.relay!;
    zone.relay = null;
    if (relay.ingestPeerId !== null) {
      const ingest = this.#peers.get(relay.ingestPeerId);
      this.#closePeer(relay.ingestPeerId, 'viewer_left', true);
      ingest?.viewer.send('viewer:left', { zone: zone.id, peerId: relay.ingestPeerId, reason: 'viewer_left' });
    }
    this.#relayPlan?.released(zone.id);
  }

  #closeRetiring(viewer: ViewerEntry): void {
    const retiring = viewer.retiring;
    if (!retiring) return;
    viewer.retiring = null;
    clearTimeout(retiring.timer);
    this.#closePeer(retiring.peerId, 'viewer_left', true);
  }

  #closePeer(peerId: PeerId | null, reason: PeerCloseReason, notifyCamera: boolean): void {
    if (peerId === null) return;
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#peers.delete(peerId);
    if (notifyCamera) peer.camera.send('viewer:left', { zone: peer.zone, peerId, reason });
  }

  /** `keepClaims`: the viewers claim their current peers, for the camera's next connection to keep. */
  #removeCamera(zone: Zone, reason: PeerCloseReason, announce: boolean, endReason: EndReason, keepClaims = false): void {
    const slot = zone.camera!;
    const camera = slot.participant;
    for (const timer of slot.held.values()) clearTimeout(timer);
    const relay = zone.relay;
    if (relay?.ingestPeerId != null) {
      this.#closePeer(relay.ingestPeerId, reason, false);
      relay.participant.send('viewer:left', { zone: zone.id, peerId: relay.ingestPeerId, reason });
      relay.ingestPeerId = null;
    }
    for (const viewer of zone.viewers.values()) {
      if (keepClaims && viewer.peerId !== null && !relay) viewer.claim = viewer.peerId;
      // A relayed viewer's connection ends at the relay, which is told; the camera is gone.
      this.#closePeer(viewer.peerId, reason, relay !== null);
      viewer.peerId = null;
      if (viewer.retiring) {
        clearTimeout(viewer.retiring.timer);
        this.#closePeer(viewer.retiring.peerId, reason, false);
        viewer.retiring = null;
      }
      if (announce) viewer.participant.send('zone:state', { zone: zone.id, state: 'waiting', reason });
    }
    zone.camera = null;
    this.#publishing.delete(camera.id);
    if (zone.relay && zone.viewers.size === 0) this.#detachRelay(zone);
    this.events.emit('unpublished', zone.id, camera, endReason);
    this.#dropIfEmpty(zone);
    this.events.emit('changed', zone.id);
  }

  /** `quietly`: the camera is not told; the peer is held for the viewer's return instead. */
  #removeViewer(zone: Zone, viewer: Participant, endReason: EndReason, quietly = false): void {
    const entry = zone.viewers.get(viewer.id);
    if (!entry) return;
    if (quietly && entry.peerId !== null && zone.camera && !zone.relay) {
      this.#peers.delete(entry.peerId);
      this.#hold(zone, zone.camera, entry.peerId);
    } else {
      this.#closePeer(entry.peerId, peerCloseReasonFor(endReason), true);
    }
    if (entry.retiring) {
      clearTimeout(entry.retiring.timer);
      this.#closePeer(entry.retiring.peerId, peerCloseReasonFor(endReason), true);
      entry.retiring = null;
    }
    zone.viewers.delete(viewer.id);
    if (zone.relay && zone.viewers.size === 0 && !zone.camera?.throughRelay) this.#detachRelay(zone);
    const watched = this.#watching.get(viewer.id);
    watched?.delete(zone.id);
    if (watched?.size === 0) this.#watching.delete(viewer.id);
    this.events.emit('watchEnded', zone.id, viewer, endReason);
    this.#tellAudience(zone);
    this.#dropIfEmpty(zone);
    this.events.emit('changed', zone.id);
  }

  /**
   * The camera hears how many operators watch and whether through the relay: its own connection
   * count says one when the relay is its only viewer.
   */
  #tellAudience(zone: Zone): void {
    zone.camera?.participant.send('zone:audience', { zone: zone.id, viewers: zone.viewers.size, relayed: zone.relay !== null });
  }

  #dropIfEmpty(zone: Zone): void {
    if (!zone.camera && zone.viewers.size === 0) this.#zones.delete(zone.id);
  }
}
