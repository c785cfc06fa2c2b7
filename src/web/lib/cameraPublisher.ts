import type { IceCandidate, PeerId } from '../../shared/index.ts';
import { preferH264, START_BITRATE_KBPS, tuneVideoSender, withStartBitrate } from './lowLatency.ts';
import { PeerSession } from './peerSession.ts';
import { Prepared, PREPARE_DELAY_MS } from './prepared.ts';

/** What the publisher sends through the gateway; the page binds these to the socket. */
export interface PublisherSignalling {
  offer(peerId: PeerId, sdp: string): void;
  candidate(peerId: PeerId, candidate: IceCandidate | null): void;
}

export interface CameraPublisherOptions {
  readonly stream: MediaStream;
  readonly signalling: PublisherSignalling;
  /** Read at each new viewer, so a reconnect's fresh `session:ready` list applies to new peers. */
  rtcConfig(): RTCConfiguration;
  /** A viewer was added or removed, or a connection changed state. */
  onChange(): void;
}

interface ViewerLink {
  readonly session: PeerSession;
  readonly sender: RTCRtpSender;
  /** An ICE-restart offer is queued; further requests before it runs add nothing. */
  restartQueued: boolean;
}


/**
 * The camera side of a zone: one RTCPeerConnection per viewer, each sending the same track.
 * The camera is always the offerer: an offer on `addViewer`, an ICE-restart offer when a viewer
 * asks for one or the connection fails. One connection is kept prepared ahead of the next viewer
 * (track added, offer made, candidates gathered), so a viewer's click costs no connection set-up
 * on the camera: it receives an offer at once, with its candidates.
 */
export class CameraPublisher {
  readonly #links = new Map<PeerId, ViewerLink>();
  readonly #signalling: PublisherSignalling;
  readonly #options: CameraPublisherOptions;
  #stream: MediaStream;
  readonly #spare: Prepared<ViewerLink>;
  #closed = false;

  constructor(options: CameraPublisherOptions) {
    this.#options = options;
    this.#signalling = options.signalling;
    this.#stream = options.stream;
    this.#spare = new Prepared<ViewerLink>({
      config: () => this.#options.rtcConfig(),
      make: (config) => this.#openLink(config),
      dispose: (link) => link.session.close(),
      usable: (link) => !link.session.closed,
    });
  }

  get peerIds(): PeerId[] {
    return [...this.#links.keys()];
  }

  /** Viewers whose connection is up: the "operators connected" the camera page shows. */
  get connectedCount(): number {
    let count = 0;
    for (const { session } of this.#links.values()) if (session.connected) count += 1;
    return count;
  }

  /** Stats of one connected viewer's connection (for the camera's encryption figure), or null. */
  async sampleConnectedPeer(): Promise<RTCStatsReport | null> {
    for (const { session } of this.#links.values()) {
      if (!session.connected) continue;
      try {
        return await session.pc.getStats();
      } catch {
        return null;
      }
    }
    return null;
  }

  /** `viewer:joined`: offer `peerId` the video, on the prepared connection when there is one. Idempotent. */
  addViewer(peerId: PeerId): void {
    if (this.#closed || this.#links.has(peerId)) return;
    // Taking the spare also schedules the next one, a moment after this viewer's start.
    const link = this.#spare.take() ?? this.#openLink(this.#options.rtcConfig());
    if (!link) return;
    link.session.bind(peerId);
    this.#links.set(peerId, link);
    void link.session.run('first offer', () => this.#sendOffer(link.session));
    this.#options.onChange();
  }

  /**
   * Prepares the connection the next viewer will get, now (the camera just started publishing,
   * or its ICE servers changed). A spare made with an older configuration is replaced.
   */
  prepareSpare(): void {
    this.#spare.prepare();
  }

  /** `signal:answer`: the viewer's answer to our latest offer. */
  acceptAnswer(peerId: PeerId, sdp: string): void {
    const session = this.#links.get(peerId)?.session;
    void session?.run('applying an answer', async () => {
      // An answer to an offer we have since replaced (a restart crossed it) is stale.
      if (session.pc.signalingState !== 'have-local-offer') return;
      await session.applyRemoteDescription({ type: 'answer', sdp: withStartBitrate(sdp, START_BITRATE_KBPS) });
    });
  }

  /** `signal:candidate` from a viewer; candidates for peers we do not know are ignored. */
  addRemoteCandidate(peerId: PeerId, candidate: IceCandidate | null): void {
    this.#links.get(peerId)?.session.addRemoteCandidate(candidate);
  }

  /** `signal:restart`, or our own connection failed: a new offer with fresh ICE credentials, same peer id. */
  restartIce(peerId: PeerId): void {
    const link = this.#links.get(peerId);
    if (!link || link.restartQueued) return;
    link.restartQueued = true;
    void link.session.run('ICE restart', async () => {
      link.restartQueued = false;
      await this.#makeOffer(link.session, true);
      await this.#sendOffer(link.session);
    });
  }

  /** `viewer:left`, or a peer id the gateway no longer knows. Idempotent. */
  removeViewer(peerId: PeerId): void {
    const link = this.#links.get(peerId);
    if (!link) return;
    this.#links.delete(peerId);
    link.session.close();
    this.#options.onChange();
  }

  /** Switches every viewer to a new camera or preset without renegotiating. */
  async replaceStream(stream: MediaStream): Promise<void> {
    this.#stream = stream;
    this.#spare.discard();
    this.#spare.prepare(PREPARE_DELAY_MS);
    const track = stream.getVideoTracks()[0] ?? null;
    await Promise.all(
      [...this.#links.values()].map(({ session, sender }) =>
        session.run('replacing the track', async () => {
          await sender.replaceTrack(track);
          sender.setStreams?.(stream);
          await tuneVideoSender(sender);
        }),
      ),
    );
  }

  /** Idempotent: closes every viewer's connection. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#spare.close();
    for (const peerId of this.peerIds) this.removeViewer(peerId);
    console.debug(`vigil: camera publisher closed (${reason})`);
  }

  /** A connection sending the current track, with its offer being made (queued on the session). */
  #openLink(config: RTCConfiguration): ViewerLink | null {
    const track = this.#stream.getVideoTracks()[0];
    if (!track) return null;
    const session: PeerSession = new PeerSession({
      peerId: null,
      rtcConfig: config,
      sendCandidate: (candidate) => {
        if (session.peerId) this.#signalling.candidate(session.peerId, candidate);
      },
      onStateChange: () => this.#options.onChange(),
      onFailed: () => {
        if (session.peerId) this.restartIce(session.peerId);
      },
    });
    // The camera only sends: no transceiver for receiving is negotiated.
    const sender = session.pc.addTrack(track, this.#stream);
    const transceiver = session.pc.getTransceivers().find((t) => t.sender === sender);
    if (transceiver) preferH264(transceiver);
    void session.run('preparing an offer', async () => {
      await tuneVideoSender(sender);
      await this.#makeOffer(session, false);
    });
    return { session, sender, restartQueued: false };
  }

  async #makeOffer(session: PeerSession, iceRestart: boolean): Promise<void> {
    const offer = await session.pc.createOffer({ iceRestart });
    session.beginLocalDescription();
    await session.pc.setLocalDescription(offer);
  }

  /** Sends the current local offer (with the candidates gathered so far), then trickles the rest. */
  async #sendOffer(session: PeerSession): Promise<void> {
    const sdp = session.pc.localDescription?.sdp;
    if (!sdp || session.closed || !session.peerId) return;
    this.#signalling.offer(session.peerId, sdp);
    session.localDescriptionSent();
  }
}
