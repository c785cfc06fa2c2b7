import type { IceCandidate, PeerId, ZoneId } from '../../shared/index.ts';
import { tuneVideoReceiver } from './lowLatency.ts';
import { PeerSession } from './peerSession.ts';

/** What a viewer sends through the gateway; the page binds these to the socket. */
export interface ViewerSignalling {
  answer(peerId: PeerId, sdp: string): void;
  candidate(peerId: PeerId, candidate: IceCandidate | null): void;
  restart(peerId: PeerId): void;
  /** The connection we kept while switching paths no longer plays: the other end may close it. */
  close(peerId: PeerId): void;
}

/** Where a connection's video comes from: the camera itself, or the gateway's media relay. */
export type MediaPath = 'p2p' | 'relay';

/** How often a connection that replaces a playing one is checked for its first decoded frame. */
const SWITCH_POLL_MS = 50;
/** A replacement that shows nothing in this long takes over anyway (the old one may be dead). */
const SWITCH_TIMEOUT_MS = 8_000;

export interface ZoneViewerOptions {
  readonly zone: ZoneId;
  readonly signalling: ViewerSignalling;
  /** Read at each new connection, so a reconnect's fresh `session:ready` list applies. */
  rtcConfig(): RTCConfiguration;
  /** A connection made ahead under the current configuration, when the page keeps one. */
  takeConnection?(): RTCPeerConnection | null;
  /**
   * The camera's video arrived on a (new) connection. `seamless`: it replaces a playing
   * connection and has decoded a frame already; the old one is closed right after.
   */
  onStream(stream: MediaStream, seamless: boolean): void;
  /** The connection was replaced or closed, or changed state. */
  onChange(): void;
}

/**
 * The operator side of one watched zone: one RTCPeerConnection playing, answering the camera's
 * (or the relay's) offers. An offer with a new peer id replaces the connection, make before
 * break: while the current one plays, the new one is set up beside it and takes over when it has
 * decoded a frame (the zone moved to the relay, or the relay restarted); with nothing playing it
 * takes over at once. The same peer id again is a renegotiation or ICE restart.
 */
export class ZoneViewer {
  readonly zone: ZoneId;
  readonly #options: ZoneViewerOptions;
  #session: PeerSession | null = null;
  #path: MediaPath = 'p2p';
  /** The connection being set up to replace a playing one, until its first frame. */
  #incoming: { session: PeerSession; path: MediaPath; stream: MediaStream | null; since: number } | null = null;
  #switchTimer: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  constructor(options: ZoneViewerOptions) {
    this.zone = options.zone;
    this.#options = options;
  }

  get peerId(): PeerId | null {
    return this.#session?.peerId ?? null;
  }

  /** Where the playing connection's video comes from. */
  get path(): MediaPath {
    return this.#path;
  }

  get connected(): boolean {
    return this.#session?.connected ?? false;
  }

  get hasConnection(): boolean {
    return this.#session !== null;
  }

  /** Stats of the current connection, or null when there is none (or it just closed). */
  async getStats(): Promise<RTCStatsReport | null> {
    const session = this.#session;
    if (!session) return null;
    try {
      return await session.pc.getStats();
    } catch {
      return null;
    }
  }

  /** `signal:offer` for this zone; `path` says who made it. */
  acceptOffer(peerId: PeerId, sdp: string, path: MediaPath = 'p2p'): void {
    if (this.#closed) return;
    const session = this.#session?.peerId === peerId ? this.#session
      : this.#incoming?.session.peerId === peerId ? this.#incoming.session
      : this.#session?.connected ? this.#openBeside(peerId, path)
      : this.#open(peerId, path);
    void session.run('answering an offer', async () => {
      await session.applyRemoteDescription({ type: 'offer', sdp });
      const answer = await session.pc.createAnswer();
      session.beginLocalDescription();
      await session.pc.setLocalDescription(answer);
      const localSdp = session.pc.localDescription?.sdp;
      if (!localSdp || session.closed) return;
      this.#options.signalling.answer(peerId, localSdp);
      session.localDescriptionSent();
    });
  }

  /** `signal:candidate` for this zone; candidates of any other peer id are ignored. */
  addRemoteCandidate(peerId: PeerId, candidate: IceCandidate | null): void {
    if (this.#session?.peerId === peerId) this.#session.addRemoteCandidate(candidate);
    else if (this.#incoming?.session.peerId === peerId) this.#incoming.session.addRemoteCandidate(candidate);
  }

  /** The camera left: drop the connection but stay ready for the next offer. */
  disconnect(): void {
    this.#dropIncoming();
    if (!this.#session) return;
    this.#session.close();
    this.#session = null;
    this.#options.onChange();
  }

  /** Idempotent: the tile is going away. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.disconnect();
  }

  #open(peerId: PeerId, path: MediaPath): PeerSession {
    this.#dropIncoming();
    this.#session?.close();
    const session = this.#newSession(peerId, (stream) => this.#options.onStream(stream, false));
    this.#session = session;
    this.#path = path;
    this.#options.onChange();
    return session;
  }

  /** A connection beside the playing one; it takes over at its first decoded frame. */
  #openBeside(peerId: PeerId, path: MediaPath): PeerSession {
    this.#dropIncoming();
    const session = this.#newSession(peerId, (stream) => {
      if (this.#incoming?.session === session) this.#incoming.stream = stream;
    });
    this.#incoming = { session, path, stream: null, since: performance.now() };
    this.#switchTimer = setInterval(() => void this.#checkIncoming(), SWITCH_POLL_MS);
    return session;
  }

  async #checkIncoming(): Promise<void> {
    const incoming = this.#incoming;
    if (!incoming?.stream) return;
    let decoded = 0;
    try {
      (await incoming.session.pc.getStats()).forEach((entry: { type?: string; kind?: string; framesDecoded?: number }) => {
        if (entry.type === 'inbound-rtp' && entry.kind === 'video') decoded = Math.max(decoded, entry.framesDecoded ?? 0);
      });
    } catch {
      return;
    }
    if (this.#incoming !== incoming) return;
    if (decoded === 0 && performance.now() - incoming.since < SWITCH_TIMEOUT_MS) return;
    this.#stopSwitchTimer();
    this.#incoming = null;
    const old = this.#session;
    this.#session = incoming.session;
    this.#path = incoming.path;
    this.#options.onStream(incoming.stream, true);
    if (old) {
      old.close();
      if (old.peerId) this.#options.signalling.close(old.peerId);
    }
    this.#options.onChange();
  }

  #dropIncoming(): void {
    this.#stopSwitchTimer();
    this.#incoming?.session.close();
    this.#incoming = null;
  }

  #stopSwitchTimer(): void {
    if (this.#switchTimer !== null) clearInterval(this.#switchTimer);
    this.#switchTimer = null;
  }

  #newSession(peerId: PeerId, onStream: (stream: MediaStream) => void): PeerSession {
    const session = new PeerSession({
      peerId,
      rtcConfig: this.#options.rtcConfig(),
      pc: this.#options.takeConnection?.(),
      sendCandidate: (candidate) => this.#options.signalling.candidate(peerId, candidate),
      onStateChange: () => this.#options.onChange(),
      // The camera is the offerer: ask it for an ICE-restart offer on the same peer id.
      onFailed: () => this.#options.signalling.restart(peerId),
    });
    session.pc.addEventListener('track', (event) => {
      if (session.closed || event.track.kind !== 'video') return;
      tuneVideoReceiver(event.receiver);
      onStream(event.streams[0] ?? new MediaStream([event.track]));
    });
    return session;
  }
}
