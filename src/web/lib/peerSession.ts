import type { IceCandidate, PeerId } from '../../shared/index.ts';
import { PeerQueue, QueueClosedError } from './peerQueue.ts';

/**
 * RTCPeerConnections as both ends make them: one transport for everything (fewer ICE checks),
 * and a candidate pool of one, which gathers ICE candidates as soon as the connection exists
 * instead of after the local description is set (20–45 ms later, measured).
 */
export function newPeerConnection(config: RTCConfiguration): RTCPeerConnection {
  return new RTCPeerConnection({ ...config, bundlePolicy: 'max-bundle', iceCandidatePoolSize: 1 });
}

export interface PeerSessionOptions {
  /** The pairing this connection serves; null for a connection prepared before anyone asked (see bind). */
  readonly peerId: PeerId | null;
  /** ICE servers and transport policy the gateway handed out at connect. */
  readonly rtcConfig: RTCConfiguration;
  /** A connection made ahead under that configuration (see Prepared); a new one otherwise. */
  readonly pc?: RTCPeerConnection | null;
  /** Trickles one of our candidates to the other end (null: gathering complete). */
  sendCandidate(candidate: IceCandidate | null): void;
  /** connectionState or iceConnectionState changed. */
  onStateChange(): void;
  /** The connection failed; called once per failure, again only after it recovered. */
  onFailed(): void;
}

/**
 * One RTCPeerConnection with the bookkeeping both ends need: every operation runs through a
 * serial queue; our candidates wait until the description they belong to has been sent (the
 * other end ignores candidates for a peer it has no description for); the other end's candidates
 * wait until its description is applied. Camera and viewer build their offer/answer logic on it.
 */
export class PeerSession {
  readonly pc: RTCPeerConnection;
  #peerId: PeerId | null;
  readonly #queue = new PeerQueue();
  readonly #options: PeerSessionOptions;
  #localDescriptionSent = false;
  #outgoing: (IceCandidate | null)[] = [];
  #incoming: (IceCandidate | null)[] = [];
  #failed = false;
  #closed = false;

  constructor(options: PeerSessionOptions) {
    this.#options = options;
    this.#peerId = options.peerId;
    this.pc = options.pc ?? newPeerConnection(options.rtcConfig);
    this.pc.addEventListener('icecandidate', (event) => this.#onLocalCandidate(event.candidate));
    this.pc.addEventListener('connectionstatechange', () => this.#onStateChange());
    this.pc.addEventListener('iceconnectionstatechange', () => this.#onStateChange());
  }

  get peerId(): PeerId | null {
    return this.#peerId;
  }

  /** Gives a prepared connection its pairing; once only. */
  bind(peerId: PeerId): void {
    if (this.#peerId !== null) throw new TypeError(`peer session already bound to ${this.#peerId}`);
    this.#peerId = peerId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get connected(): boolean {
    return !this.#closed && this.pc.connectionState === 'connected';
  }

  /**
   * Queues `task` behind every earlier operation on this connection. Resolves undefined when the
   * task failed or the session closed first: callers are event handlers with nobody to rethrow to.
   */
  run<T>(label: string, task: () => Promise<T> | T): Promise<T | undefined> {
    return this.#queue.run(task).catch((error: unknown) => {
      if (!(error instanceof QueueClosedError) && !this.#closed) {
        console.warn(`vigil: ${label} failed for peer ${this.peerId}`, error);
      }
      return undefined;
    });
  }

  /** Call right before setLocalDescription: candidates of the new description wait for it. */
  beginLocalDescription(): void {
    this.#localDescriptionSent = false;
  }

  /** Call right after the description was handed to signalling: trickles what was held back. */
  localDescriptionSent(): void {
    this.#localDescriptionSent = true;
    const held = this.#outgoing;
    this.#outgoing = [];
    for (const candidate of held) this.#options.sendCandidate(candidate);
  }

  /** Applies the other end's description, then the candidates that arrived before it. Run inside the queue. */
  async applyRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await this.pc.setRemoteDescription(description);
    const held = this.#incoming;
    this.#incoming = [];
    for (const candidate of held) await this.#addCandidate(candidate);
  }

  /** Queues a candidate from the other end; kept until a remote description exists, never dropped. */
  addRemoteCandidate(candidate: IceCandidate | null): void {
    void this.run('adding a remote candidate', async () => {
      if (this.pc.remoteDescription === null) this.#incoming.push(candidate);
      else await this.#addCandidate(candidate);
    });
  }

  /** Idempotent: closes the connection and rejects queued work. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.close();
    this.#outgoing = [];
    this.#incoming = [];
    this.pc.close();
  }

  async #addCandidate(candidate: IceCandidate | null): Promise<void> {
    try {
      // No argument marks the end of the other end's candidates.
      if (candidate === null) await this.pc.addIceCandidate();
      else await this.pc.addIceCandidate(candidate);
    } catch (error) {
      // A candidate of an ICE generation already replaced by a restart is expected to fail.
      if (!this.#closed) console.warn(`vigil: ICE candidate rejected for peer ${this.peerId}`, error);
    }
  }

  #onLocalCandidate(candidate: RTCIceCandidate | null): void {
    if (this.#closed) return;
    // Only the fields the protocol's strict schema knows, whatever else toJSON() adds.
    const message: IceCandidate | null = candidate
      ? {
          candidate: candidate.candidate,
          sdpMid: candidate.sdpMid,
          sdpMLineIndex: candidate.sdpMLineIndex,
          usernameFragment: candidate.usernameFragment,
        }
      : null;
    if (this.#localDescriptionSent) this.#options.sendCandidate(message);
    else this.#outgoing.push(message);
  }

  #onStateChange(): void {
    if (this.#closed) return;
    const failed = this.pc.connectionState === 'failed' || this.pc.iceConnectionState === 'failed';
    if (failed && !this.#failed) {
      this.#failed = true;
      this.#options.onFailed();
    } else if (!failed) {
      this.#failed = false;
    }
    this.#options.onStateChange();
  }
}
