import {
  MediaStreamTrack,
  ReceiverEstimatedMaxBitrate,
  RTCPeerConnection,
  RtcpPayloadSpecificFeedback,
  type RtpPacket,
  type RTCRtpTransceiver,
} from 'werift';
import type { IceCandidate, PeerId, ZoneId } from '../../../shared/index.ts';
import type { RelayZoneStats } from '../relayProtocol.ts';
import { startsKeyframe } from './h264.ts';
import { squeezedReplay } from './replay.ts';
import { announce, peerConfig, withBitrateHint, type RelayNetwork } from './peerNetwork.ts';
import { RtpIngest } from './RtpIngest.ts';
import { RtpRecorder } from './RtpRecorder.ts';
import { RING_SEGMENT_SECONDS } from '../../evidence/ringSegments.ts';

export type PeerStateListener = (peerId: PeerId, state: 'connected' | 'failed' | 'closed') => void;

/** Keyframe requests towards the camera are aggregated: one per this many ms, whatever asks. */
const KEYFRAME_REQUEST_INTERVAL_MS = 300;
/**
 * A camera may drop a keyframe request that comes close after another (Chromium encoded 4
 * keyframes for 6 PLIs with 50 viewers joining): while a connected viewer still waits for one,
 * the request is repeated this often.
 */
const KEYFRAME_RETRY_MS = 500;
/**
 * Fast start: the packets since the camera's latest keyframe are kept, and a viewer that
 * connects while that keyframe is this recent gets them at once instead of waiting for the next
 * one. The keyframe is asked for when the viewer subscribes, so it is usually on its way while
 * ICE and DTLS complete.
 */
const REPLAY_MAX_AGE_MS = 1000;
/**
 * A camera pulled over RTSP cannot be asked for a keyframe: its whole GOP is kept instead (the
 * GOP cache), up to this old and this many packets (about 4 MB at 1080p).
 */
const GOP_CACHE_MAX_AGE_MS = 10_000;
const GOP_CACHE_MAX_PACKETS = 4096;
/** A replay is sent this many packets ahead of what the viewer's socket has taken, then live. */
const REPLAY_IN_FLIGHT = 64;
/** How often the camera is reminded of the bitrate it may use. */
const REMB_INTERVAL_MS = 1000;
/**
 * A viewer whose sender has this many packets not yet written (about a second of 2.5 Mbit/s
 * video) has fallen behind: its backlog is dropped and it starts again at the next keyframe,
 * so it never holds the others' packets or the worker's memory.
 */
const MAX_IN_FLIGHT = 256;

interface Subscriber {
  readonly peerId: PeerId;
  readonly pc: RTCPeerConnection;
  readonly transceiver: RTCRtpTransceiver;
  /** Nothing is forwarded until a keyframe starts: a decoder cannot begin mid-picture. */
  waitingForKeyframe: boolean;
  /** Packets handed to its sender and not yet written to its socket. */
  inFlight: number;
  /** While a replay is sent: what is still to go, the live packets queued behind it. */
  backlog: { packets: RtpPacket[]; next: number } | null;
}

/** The camera's end: a WebRTC connection (a browser, WHIP) or plain RTP from a local ffmpeg (RTSP). */
type Publisher =
  | { readonly kind: 'webrtc'; readonly peerId: PeerId; readonly pc: RTCPeerConnection; ssrc: number | null; transceiver: RTCRtpTransceiver | null }
  | { readonly kind: 'rtp'; readonly peerId: PeerId; readonly ingest: RtpIngest };

/**
 * One zone's relay: the camera's connection in, one connection out per viewer. Each packet is
 * received once and written to every viewer that is ready, as a copy (werift rewrites headers in
 * place). A viewer that connects waits for the next keyframe, which the relay asks the camera for
 * at once (aggregated over viewers); its losses are repaired from its own sender's history.
 */
export class ZoneRelay {
  readonly zone: ZoneId;
  #publisher: Publisher | null = null;
  readonly #subscribers = new Map<PeerId, Subscriber>();
  readonly #network: RelayNetwork;
  readonly #onPeerState: PeerStateListener;
  #lastKeyframeRequest = 0;
  #keyframeTimer: NodeJS.Timeout | null = null;
  #keyframeRetry: NodeJS.Timeout | null = null;
  #rembTimer: NodeJS.Timeout | null = null;
  readonly #stats = { forwardedPackets: 0, forwardedBytes: 0, nacks: 0, plis: 0, keyframeWaits: 0, fellBehind: 0, replays: 0 };
  /** The packets since the latest keyframe (empty when that run grew too long), and its arrival. */
  #sinceKeyframe: RtpPacket[] = [];
  #keyframeAt = 0;
  /** The publisher was replaced and its stream has not sent yet (see #rebase). */
  #newSource = false;
  /** The zone's evidence ring buffer, and the timer asking the camera for each segment's keyframe. */
  #recorder: { recorder: RtpRecorder; keyframes: NodeJS.Timeout } | null = null;

  constructor(zone: ZoneId, network: RelayNetwork, onPeerState: PeerStateListener) {
    this.zone = zone;
    this.#network = network;
    this.#onPeerState = onPeerState;
  }

  get empty(): boolean {
    return this.#publisher === null && this.#subscribers.size === 0 && this.#recorder === null;
  }

  /**
   * Keeps the zone's evidence ring buffer in `dir` (null: stops). A browser camera sends a
   * keyframe only when asked: it is asked every segment, so each segment starts on one.
   */
  record(dir: string | null, log: (message: string) => void): void {
    if (this.#recorder) {
      clearInterval(this.#recorder.keyframes);
      this.#recorder.recorder.close();
      this.#recorder = null;
    }
    if (dir === null) return;
    const keyframes = setInterval(() => this.requestKeyframe(), RING_SEGMENT_SECONDS * 1000);
    this.#recorder = { recorder: new RtpRecorder(dir, () => this.requestKeyframe(), log), keyframes };
  }

  has(peerId: PeerId): boolean {
    return this.#publisher?.peerId === peerId || this.#subscribers.has(peerId);
  }

  /** The camera's offer: answer it, and forward what it sends. Replaces an earlier publisher. */
  async publish(peerId: PeerId, offer: string): Promise<string> {
    if (this.#publisher?.kind === 'webrtc' && this.#publisher.peerId === peerId) {
      // A renegotiation or ICE restart of the same pairing.
      await this.#publisher.pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await this.#publisher.pc.setLocalDescription(await this.#publisher.pc.createAnswer());
      return this.#localSdp(this.#publisher.pc, true);
    }
    this.#closePublisher();
    this.#newSource = true;
    const pc = new RTCPeerConnection(peerConfig(this.#network));
    const publisher: Publisher = { kind: 'webrtc', peerId, pc, ssrc: null, transceiver: null };
    this.#publisher = publisher;
    pc.onTrack.subscribe((track) => {
      if (track.kind !== 'video') return;
      publisher.ssrc = track.ssrc ?? null;
      track.onReceiveRtp.subscribe((rtp) => this.#forward(rtp));
      // Viewers that connected before the camera's media arrived wait for a keyframe.
      if ([...this.#subscribers.values()].some((s) => s.waitingForKeyframe)) this.requestKeyframe();
    });
    pc.onRemoteTransceiverAdded.subscribe((transceiver) => {
      publisher.transceiver = transceiver;
    });
    this.#watchState(peerId, pc);
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    publisher.transceiver ??= pc.getTransceivers()[0] ?? null;
    await pc.setLocalDescription(await pc.createAnswer());
    this.#rembTimer ??= setInterval(() => this.#sendBitrateHint(), REMB_INTERVAL_MS);
    return this.#localSdp(pc, true);
  }

  /**
   * The camera's video arrives as plain RTP on a loopback port (an IP camera, pulled by ffmpeg):
   * the ports to send it to. Replaces an earlier publisher.
   */
  async ingest(peerId: PeerId): Promise<{ port: number; rtcpPort: number }> {
    this.#closePublisher();
    this.#newSource = true;
    const ingest = await RtpIngest.open((rtp) => this.#forward(rtp), () => this.#onPeerState(peerId, 'connected'));
    this.#publisher = { kind: 'rtp', peerId, ingest };
    return ingest.ports;
  }

  /**
   * A viewer paired with the relay. Without `offer` (a console): our offer, with every candidate
   * in it. With the viewer's offer (WHEP): our answer to it.
   */
  async subscribe(peerId: PeerId, offer?: string): Promise<string> {
    this.close(peerId);
    const pc = new RTCPeerConnection(peerConfig(this.#network));
    let transceiver: RTCRtpTransceiver;
    if (offer === undefined) {
      transceiver = pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
    } else {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      const offered = pc.getTransceivers().find((t) => t.kind === 'video');
      if (!offered) {
        void pc.close();
        throw new Error('the offer has no video to receive');
      }
      transceiver = offered;
      transceiver.setDirection('sendonly');
    }
    const subscriber: Subscriber = { peerId, pc, transceiver, waitingForKeyframe: true, inFlight: 0, backlog: null };
    this.#subscribers.set(peerId, subscriber);
    // The viewer's own sender answers its NACKs from its history; its keyframe requests go to
    // the camera, aggregated with everyone else's.
    transceiver.sender.onPictureLossIndication.subscribe(() => this.requestKeyframe());
    transceiver.sender.onGenericNack.subscribe(() => {
      this.#stats.nacks += 1;
    });
    this.#watchState(peerId, pc, () => {
      // A browser may still be setting up SRTP as the first packets arrive and lose the
      // replayed keyframe: a fresh one is asked for in any case.
      if (!this.#replay(subscriber)) {
        subscriber.waitingForKeyframe = true;
        this.#stats.keyframeWaits += 1;
      }
      this.requestKeyframe();
    });
    await pc.setLocalDescription(await (offer === undefined ? pc.createOffer() : pc.createAnswer()));
    // The keyframe this viewer will start on, asked for now: it arrives while ICE and DTLS run.
    this.requestKeyframe();
    return this.#localSdp(pc, false);
  }

  async answer(peerId: PeerId, sdp: string): Promise<void> {
    const subscriber = this.#subscribers.get(peerId);
    if (!subscriber) throw new Error(`no subscriber ${peerId}`);
    await subscriber.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /** An ICE restart the viewer asked for: a new offer on the same connection. */
  async restart(peerId: PeerId): Promise<string> {
    const subscriber = this.#subscribers.get(peerId);
    if (!subscriber) throw new Error(`no subscriber ${peerId}`);
    await subscriber.pc.setLocalDescription(await subscriber.pc.createOffer({ iceRestart: true }));
    return this.#localSdp(subscriber.pc, false);
  }

  async addCandidate(peerId: PeerId, candidate: IceCandidate | null): Promise<void> {
    const publisher = this.#publisher;
    const pc = publisher?.peerId === peerId ? (publisher.kind === 'webrtc' ? publisher.pc : undefined) : this.#subscribers.get(peerId)?.pc;
    if (!pc || candidate === null || candidate.candidate === '') return;
    await pc.addIceCandidate({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? undefined,
      sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
      usernameFragment: candidate.usernameFragment ?? undefined,
    });
  }

  /** Asks the camera for a keyframe, at most once per interval (later asks ride on the next). */
  requestKeyframe(): void {
    if (this.#keyframeTimer) return;
    const wait = this.#lastKeyframeRequest + KEYFRAME_REQUEST_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.#keyframeTimer = setTimeout(() => {
        this.#keyframeTimer = null;
        this.requestKeyframe();
      }, wait);
      return;
    }
    const publisher = this.#publisher;
    // An RTSP camera has no way to be asked: its viewers start on the GOP cache.
    if (publisher?.kind !== 'webrtc' || !publisher.transceiver || publisher.ssrc === null) return;
    this.#lastKeyframeRequest = Date.now();
    this.#stats.plis += 1;
    void publisher.transceiver.receiver.sendRtcpPLI(publisher.ssrc);
    this.#keyframeRetry ??= setTimeout(() => {
      this.#keyframeRetry = null;
      if (this.#someoneWaits()) this.requestKeyframe();
    }, KEYFRAME_RETRY_MS);
  }

  #someoneWaits(): boolean {
    for (const subscriber of this.#subscribers.values()) {
      if (subscriber.waitingForKeyframe && subscriber.pc.connectionState === 'connected') return true;
    }
    return false;
  }

  /** Closes one peer (publisher or subscriber); unknown ids are ignored. */
  close(peerId: PeerId): void {
    if (this.#publisher?.peerId === peerId) {
      this.#closePublisher();
      return;
    }
    const subscriber = this.#subscribers.get(peerId);
    if (!subscriber) return;
    this.#subscribers.delete(peerId);
    void subscriber.pc.close();
  }

  closeAll(): void {
    this.record(null, () => undefined);
    this.#closePublisher();
    for (const peerId of [...this.#subscribers.keys()]) this.close(peerId);
  }

  stats(): RelayZoneStats {
    return { zone: this.zone, publisher: this.#publisher?.kind ?? null, subscribers: this.#subscribers.size, ...this.#stats, recording: this.#recorder !== null };
  }

  #forward(rtp: RtpPacket): void {
    if (this.#newSource) this.#rebase(rtp);
    // A keyframe's SPS/PPS packet and its IDR slice's first packet both look like a start: the
    // picture begins at the first of them (the rest of the picture shares its timestamp).
    const keyframe = startsKeyframe(rtp.payload) && this.#sinceKeyframe[0]?.header.timestamp !== rtp.header.timestamp;
    if (keyframe) {
      this.#sinceKeyframe = [rtp];
      this.#keyframeAt = Date.now();
    } else if (this.#sinceKeyframe.length > 0) {
      if (this.#sinceKeyframe.length < GOP_CACHE_MAX_PACKETS) this.#sinceKeyframe.push(rtp);
      else this.#sinceKeyframe = [];
    }
    this.#recorder?.recorder.push(rtp, keyframe);
    for (const subscriber of this.#subscribers.values()) {
      if (subscriber.waitingForKeyframe) {
        if (!keyframe || subscriber.pc.connectionState !== 'connected') continue;
        subscriber.waitingForKeyframe = false;
      }
      if (subscriber.backlog) {
        // Live packets wait behind the replay, unless the viewer cannot take even that.
        if (subscriber.backlog.packets.length - subscriber.backlog.next < GOP_CACHE_MAX_PACKETS) subscriber.backlog.packets.push(rtp);
        else this.#fallBehind(subscriber);
        continue;
      }
      if (subscriber.inFlight >= MAX_IN_FLIGHT) {
        this.#fallBehind(subscriber);
        continue;
      }
      this.#send(subscriber, rtp);
    }
  }

  /**
   * The first packet of a new stream into the zone (an IP camera's ffmpeg started again with new
   * masks, a camera that connected again): its sequence numbers and timestamps start anywhere, so
   * each viewer's sender goes on from its own last ones (a decoder would take the jump for loss),
   * and waits for this stream's first keyframe.
   */
  #rebase(rtp: RtpPacket): void {
    this.#newSource = false;
    this.#recorder?.recorder.restart();
    for (const subscriber of this.#subscribers.values()) {
      subscriber.transceiver.sender.replaceRTP(rtp.header, true);
      subscriber.backlog = null;
      subscriber.waitingForKeyframe = true;
    }
    if (this.#subscribers.size > 0) this.requestKeyframe();
  }

  /** Its backlog is dropped: it starts again at the next keyframe. */
  #fallBehind(subscriber: Subscriber): void {
    subscriber.backlog = null;
    subscriber.waitingForKeyframe = true;
    this.#stats.fellBehind += 1;
    this.requestKeyframe();
  }

  /**
   * A viewer just connected: the packets since a recent keyframe, as fast as its socket takes
   * them, squeezed in media time so that live follows at once (see squeezedReplay).
   */
  #replay(subscriber: Subscriber): boolean {
    const run = this.#sinceKeyframe;
    const maxAge = this.#publisher?.kind === 'rtp' ? GOP_CACHE_MAX_AGE_MS : REPLAY_MAX_AGE_MS;
    if (run.length === 0 || Date.now() - this.#keyframeAt > maxAge) return false;
    subscriber.waitingForKeyframe = false;
    this.#stats.replays += 1;
    subscriber.backlog = { packets: squeezedReplay(run), next: 0 };
    this.#pump(subscriber);
    return true;
  }

  #pump(subscriber: Subscriber): void {
    const backlog = subscriber.backlog;
    if (!backlog) return;
    while (backlog.next < backlog.packets.length && subscriber.inFlight < REPLAY_IN_FLIGHT) this.#send(subscriber, backlog.packets[backlog.next++]!);
    if (backlog.next === backlog.packets.length && subscriber.backlog === backlog) subscriber.backlog = null;
  }

  #send(subscriber: Subscriber, rtp: RtpPacket): void {
    const copy = rtp.clone();
    // The camera's extension ids mean nothing on the viewer's connection.
    copy.header.extensions = [];
    subscriber.inFlight += 1;
    const written = (): void => {
      subscriber.inFlight -= 1;
      if (subscriber.backlog) this.#pump(subscriber);
    };
    subscriber.transceiver.sender.sendRtp(copy).then(written, written);
    this.#stats.forwardedPackets += 1;
    this.#stats.forwardedBytes += rtp.payload.length;
  }

  #sendBitrateHint(): void {
    const publisher = this.#publisher;
    if (publisher?.kind !== 'webrtc' || !publisher.transceiver || publisher.ssrc === null || publisher.pc.connectionState !== 'connected') return;
    const bps = this.#network.maxBitrateBps;
    let exponent = 0;
    while (bps >= 2 ** (18 + exponent)) exponent += 1;
    const remb = new ReceiverEstimatedMaxBitrate({
      senderSsrc: publisher.transceiver.receiver.rtcpSsrc,
      mediaSsrc: 0,
      brExp: exponent,
      brMantissa: Math.floor(bps / 2 ** exponent),
      ssrcNum: 1,
      ssrcFeedbacks: [publisher.ssrc],
    });
    void publisher.transceiver.receiver.dtlsTransport
      ?.sendRtcp([new RtcpPayloadSpecificFeedback({ feedback: remb })])
      .catch(() => undefined);
  }

  #watchState(peerId: PeerId, pc: RTCPeerConnection, onConnected?: () => void): void {
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        onConnected?.();
        this.#onPeerState(peerId, 'connected');
      } else if (state === 'failed') this.#onPeerState(peerId, 'failed');
    });
  }

  #localSdp(pc: RTCPeerConnection, answer: boolean): string {
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new Error('no local description');
    const announced = announce(sdp, this.#network);
    return answer ? withBitrateHint(announced, this.#network.maxBitrateBps) : announced;
  }

  #closePublisher(): void {
    const publisher = this.#publisher;
    if (!publisher) return;
    this.#publisher = null;
    this.#sinceKeyframe = [];
    if (this.#rembTimer) clearInterval(this.#rembTimer);
    this.#rembTimer = null;
    if (this.#keyframeTimer) clearTimeout(this.#keyframeTimer);
    this.#keyframeTimer = null;
    if (this.#keyframeRetry) clearTimeout(this.#keyframeRetry);
    this.#keyframeRetry = null;
    if (publisher.kind === 'webrtc') void publisher.pc.close();
    else publisher.ingest.close();
  }
}
