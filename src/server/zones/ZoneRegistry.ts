import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  Limits,
  protocolError,
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
import type { Participant } from './Participant.ts';

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
}

interface Zone {
  readonly id: ZoneId;
  camera: CameraSlot | null;
  /** Viewer participant id → its current peer with this zone's camera (null while waiting). */
  readonly viewers: Map<string, { participant: Participant; peerId: PeerId | null }>;
}

export interface ZoneRegistryEvents extends Record<string, unknown[]> {
  /** Something the directory shows about this zone changed (or the zone appeared or vanished). */
  changed: [zone: ZoneId];
  published: [zone: ZoneId, camera: Participant, replacedStaleSession: boolean];
  unpublished: [zone: ZoneId, camera: Participant, reason: EndReason];
  watchStarted: [zone: ZoneId, viewer: Participant];
  watchEnded: [zone: ZoneId, viewer: Participant, reason: EndReason];
}

/** Why a view or a publish ended, for the audit trail. */
export type EndReason = 'requested' | 'disconnected' | 'replaced' | 'access_revoked';

export type Route = { target: Participant; zone: ZoneId };

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

  constructor(onListenerError: (error: unknown, event: string) => void) {
    this.events = new SafeEmitter<ZoneRegistryEvents>((error, event) => onListenerError(error, String(event)));
  }

  /**
   * What publish() would answer, without doing it: `null` when it would start a new publish,
   * `'already'` when this connection already publishes the zone, else the refusal.
   */
  publishCheck(camera: Participant, zoneId: ZoneId, resumeToken: string): ProtocolError | 'already' | null {
    const current = this.#publishing.get(camera.id);
    if (current !== undefined) {
      return current === zoneId ? 'already' : protocolError('ALREADY_PUBLISHING', `This connection already publishes ${current}.`);
    }
    const holder = this.#zones.get(zoneId)?.camera;
    if (holder && !timingSafeEqual(holder.resumeTokenHash, hashToken(resumeToken))) {
      return protocolError('ZONE_BUSY', `Zone ${zoneId} already has a live camera.`);
    }
    return null;
  }

  /** What watch() would answer: `null` for a new view, `'already'` when watching, else the refusal. */
  watchCheck(viewer: Participant, zoneId: ZoneId): ProtocolError | 'already' | null {
    const watched = this.#watching.get(viewer.id);
    if (watched?.has(zoneId)) return 'already';
    if ((watched?.size ?? 0) >= Limits.maxWatchedZones) {
      return protocolError('WATCH_LIMIT', `At most ${Limits.maxWatchedZones} zones can be watched at once.`);
    }
    return null;
  }

  publish(camera: Participant, zoneId: ZoneId, resumeToken: string): Ack<PublishResult> {
    const check = this.publishCheck(camera, zoneId, resumeToken);
    if (check === 'already') return { ok: true, zone: zoneId, replacedStaleSession: false };
    if (check) return { ok: false, error: check };
    let zone = this.#zoneFor(zoneId);
    const tokenHash = hashToken(resumeToken);
    let replacedStaleSession = false;
    if (zone.camera) {
      // The same camera came back on a new connection before its old one timed out: take over.
      const stale = zone.camera.participant;
      this.#removeCamera(zone, 'camera_replaced', false, 'replaced');
      stale.evict('replaced by the same camera on a new connection');
      replacedStaleSession = true;
      zone = this.#zoneFor(zoneId); // removal drops a zone nobody watches
    }
    zone.camera = { participant: camera, resumeTokenHash: tokenHash };
    this.#publishing.set(camera.id, zoneId);
    for (const viewer of zone.viewers.values()) {
      viewer.peerId = this.#openPeer(zone, viewer.participant);
      viewer.participant.send('zone:state', { zone: zoneId, state: 'live' });
    }
    this.events.emit('published', zoneId, camera, replacedStaleSession);
    this.events.emit('changed', zoneId);
    return { ok: true, zone: zoneId, replacedStaleSession };
  }

  unpublish(camera: Participant, zoneId: ZoneId): Ack {
    const zone = this.#zones.get(zoneId);
    if (!zone || zone.camera?.participant !== camera) {
      return { ok: false, error: protocolError('NOT_PUBLISHING', `This connection does not publish ${zoneId}.`) };
    }
    this.#removeCamera(zone, 'camera_left', true, 'requested');
    return { ok: true };
  }

  watch(viewer: Participant, zoneId: ZoneId): Ack<WatchResult> {
    const check = this.watchCheck(viewer, zoneId);
    if (check === 'already') return { ok: true, zone: zoneId, state: this.#zones.get(zoneId)?.camera ? 'live' : 'waiting' };
    if (check) return { ok: false, error: check };
    const watched = this.#watching.get(viewer.id) ?? new Set<ZoneId>();
    const zone = this.#zoneFor(zoneId);
    watched.add(zoneId);
    this.#watching.set(viewer.id, watched);
    const entry = { participant: viewer, peerId: null as PeerId | null };
    zone.viewers.set(viewer.id, entry);
    if (zone.camera) entry.peerId = this.#openPeer(zone, viewer);
    this.events.emit('watchStarted', zoneId, viewer);
    this.events.emit('changed', zoneId);
    return { ok: true, zone: zoneId, state: zone.camera ? 'live' : 'waiting' };
  }

  /** Ends a view; with `access_revoked` the camera is told so, and closes that peer. */
  unwatch(viewer: Participant, zoneId: ZoneId, reason: 'requested' | 'access_revoked' = 'requested'): Ack {
    const zone = this.#zones.get(zoneId);
    if (!zone?.viewers.has(viewer.id)) {
      return { ok: false, error: protocolError('NOT_WATCHING', `This connection does not watch ${zoneId}.`) };
    }
    this.#removeViewer(zone, viewer, reason);
    return { ok: true };
  }

  /** The zones a connection watches now. */
  watchedBy(viewer: Participant): ZoneId[] {
    return [...(this.#watching.get(viewer.id) ?? [])];
  }

  /** A connection ended: release everything it held. Idempotent. */
  leave(participant: Participant): void {
    const published = this.#publishing.get(participant.id);
    if (published !== undefined) {
      const zone = this.#zones.get(published);
      if (zone?.camera?.participant === participant) this.#removeCamera(zone, 'camera_left', true, 'disconnected');
    }
    for (const zoneId of [...(this.#watching.get(participant.id) ?? [])]) {
      const zone = this.#zones.get(zoneId);
      if (zone) this.#removeViewer(zone, participant, 'disconnected');
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

  #zoneFor(zoneId: ZoneId): Zone {
    let zone = this.#zones.get(zoneId);
    if (!zone) this.#zones.set(zoneId, (zone = { id: zoneId, camera: null, viewers: new Map() }));
    return zone;
  }

  #openPeer(zone: Zone, viewer: Participant): PeerId {
    const camera = zone.camera!.participant;
    const peer: Peer = { id: newPeerId(), zone: zone.id, camera, viewer };
    this.#peers.set(peer.id, peer);
    camera.send('viewer:joined', { zone: zone.id, peerId: peer.id });
    return peer.id;
  }

  #closePeer(peerId: PeerId | null, reason: PeerCloseReason, notifyCamera: boolean): void {
    if (peerId === null) return;
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#peers.delete(peerId);
    if (notifyCamera) peer.camera.send('viewer:left', { zone: peer.zone, peerId, reason });
  }

  #removeCamera(zone: Zone, reason: PeerCloseReason, announce: boolean, endReason: EndReason): void {
    const camera = zone.camera!.participant;
    for (const viewer of zone.viewers.values()) {
      this.#closePeer(viewer.peerId, reason, false);
      viewer.peerId = null;
      if (announce) viewer.participant.send('zone:state', { zone: zone.id, state: 'waiting', reason });
    }
    zone.camera = null;
    this.#publishing.delete(camera.id);
    this.events.emit('unpublished', zone.id, camera, endReason);
    this.#dropIfEmpty(zone);
    this.events.emit('changed', zone.id);
  }

  #removeViewer(zone: Zone, viewer: Participant, endReason: EndReason): void {
    const entry = zone.viewers.get(viewer.id);
    if (!entry) return;
    this.#closePeer(entry.peerId, endReason === 'access_revoked' ? 'access_revoked' : 'viewer_left', true);
    zone.viewers.delete(viewer.id);
    const watched = this.#watching.get(viewer.id);
    watched?.delete(zone.id);
    if (watched?.size === 0) this.#watching.delete(viewer.id);
    this.events.emit('watchEnded', zone.id, viewer, endReason);
    this.#dropIfEmpty(zone);
    this.events.emit('changed', zone.id);
  }

  #dropIfEmpty(zone: Zone): void {
    if (!zone.camera && zone.viewers.size === 0) this.#zones.delete(zone.id);
  }
}
