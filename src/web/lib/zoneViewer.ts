import type { IceCandidate, PeerId, ZoneId } from '../../shared/index.ts';
import { tuneVideoReceiver } from './lowLatency.ts';
import { PeerSession } from './peerSession.ts';

/** What a viewer sends through the gateway; the page binds these to the socket. */
export interface ViewerSignalling {
  answer(peerId: PeerId, sdp: string): void;
  candidate(peerId: PeerId, candidate: IceCandidate | null): void;
  restart(peerId: PeerId): void;
}

export interface ZoneViewerOptions {
  readonly zone: ZoneId;
  readonly signalling: ViewerSignalling;
  /** Read at each new connection, so a reconnect's fresh `session:ready` list applies. */
  rtcConfig(): RTCConfiguration;
  /** A connection made ahead under the current configuration, when the page keeps one. */
  takeConnection?(): RTCPeerConnection | null;
  /** The camera's video arrived on a (new) connection. */
  onStream(stream: MediaStream): void;
  /** The connection was replaced or closed, or changed state. */
  onChange(): void;
}

/**
 * The operator side of one watched zone: at most one RTCPeerConnection, answering the camera's
 * offers. An offer with a new peer id replaces the connection (the camera came back, or either
 * side reconnected its signalling); the same peer id again is a renegotiation or ICE restart.
 */
export class ZoneViewer {
  readonly zone: ZoneId;
  readonly #options: ZoneViewerOptions;
  #session: PeerSession | null = null;
  #closed = false;

  constructor(options: ZoneViewerOptions) {
    this.zone = options.zone;
    this.#options = options;
  }

  get peerId(): PeerId | null {
    return this.#session?.peerId ?? null;
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

  /** `signal:offer` for this zone. */
  acceptOffer(peerId: PeerId, sdp: string): void {
    if (this.#closed) return;
    const session = this.#session?.peerId === peerId ? this.#session : this.#open(peerId);
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
  }

  /** The camera left: drop the connection but stay ready for the next offer. */
  disconnect(): void {
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

  #open(peerId: PeerId): PeerSession {
    this.#session?.close();
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
      this.#options.onStream(event.streams[0] ?? new MediaStream([event.track]));
    });
    this.#session = session;
    this.#options.onChange();
    return session;
  }
}
