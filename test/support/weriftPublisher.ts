import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useH264, type RTCRtpTransceiver } from 'werift';
import type { TestClient } from './clients.ts';
import { newResumeToken, request } from './clients.ts';

const FRAME_MS = 33;
const KEYFRAME_EVERY = 30;
/** NAL unit headers (RFC 6184): an IDR slice starts a keyframe, a non-IDR slice continues it. */
const IDR = 0x65;
const NON_IDR = 0x41;

interface Connection {
  readonly peerId: string;
  readonly pc: RTCPeerConnection;
  readonly transceiver: RTCRtpTransceiver;
}

/**
 * A non-browser camera: a camera's signalling connection that offers each viewer the pairing
 * gives it a werift peer sending synthetic H.264 RTP (one single-NAL packet per frame at ~30 fps,
 * an IDR every second or when a keyframe is asked for). Nothing is encoded; a relay never decodes,
 * and WeriftViewer counts frames by marker bits, so this is enough to see media flow.
 */
export class WeriftPublisher {
  readonly #connections = new Map<string, Connection>();
  readonly #timer: NodeJS.Timeout;
  #frame = 0;
  #keyframeAsked = false;
  /** Every peer id this camera was asked to serve (viewer:joined), in order. */
  readonly joined: string[] = [];
  readonly left: string[] = [];

  constructor(readonly socket: TestClient, readonly zone: string, readonly listenAddress = '127.0.0.1') {
    socket.on('viewer:joined', ({ zone: joinedZone, peerId }) => {
      if (joinedZone !== zone) return;
      this.joined.push(peerId);
      void this.#offer(peerId).catch((error: unknown) => console.error('werift publisher failed to offer', error));
    });
    socket.on('signal:answer', ({ peerId, sdp }) => {
      void this.#connections.get(peerId)?.pc.setRemoteDescription({ type: 'answer', sdp }).catch((error: unknown) => console.error('werift publisher: bad answer', error));
    });
    socket.on('viewer:left', ({ zone: leftZone, peerId }) => {
      if (leftZone !== zone) return;
      this.left.push(peerId);
      const connection = this.#connections.get(peerId);
      this.#connections.delete(peerId);
      void connection?.pc.close();
    });
    this.#timer = setInterval(() => this.#sendFrame(), FRAME_MS);
  }

  /** Publishes the zone; resolves with the reply. */
  async publish(resumeToken = newResumeToken()): Promise<unknown> {
    return request(this.socket, 'camera:publish', { zone: this.zone, resumeToken });
  }

  /** How many of its peer connections are connected now (one per viewer peer to peer, one via the relay). */
  get connected(): number {
    return [...this.#connections.values()].filter((c) => c.pc.connectionState === 'connected').length;
  }

  /** Open connections, whatever their state. */
  get open(): number {
    return this.#connections.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.socket.disconnect();
    await Promise.all([...this.#connections.values()].map((c) => c.pc.close()));
    this.#connections.clear();
  }

  async #offer(peerId: string): Promise<void> {
    const pc = new RTCPeerConnection({
      codecs: { video: [useH264()] },
      headerExtensions: { video: [] },
      iceUseIpv6: false,
      iceAdditionalHostAddresses: [this.listenAddress],
      iceInterfaceAddresses: { udp4: this.listenAddress },
    });
    const transceiver = pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
    transceiver.sender.onPictureLossIndication.subscribe(() => { this.#keyframeAsked = true; });
    this.#connections.set(peerId, { peerId, pc, transceiver });
    pc.connectionStateChange.subscribe((state) => { if (state === 'connected') this.#keyframeAsked = true; });
    await pc.setLocalDescription(await pc.createOffer());
    this.socket.emit('signal:offer', { peerId, sdp: pc.localDescription!.sdp });
  }

  #sendFrame(): void {
    this.#frame += 1;
    const keyframe = this.#keyframeAsked || this.#frame % KEYFRAME_EVERY === 0;
    this.#keyframeAsked = false;
    const payload = Buffer.alloc(900, this.#frame & 0xff);
    payload[0] = keyframe ? IDR : NON_IDR;
    for (const { pc, transceiver } of this.#connections.values()) {
      if (pc.connectionState !== 'connected') continue;
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: this.#frame & 0xffff, timestamp: (this.#frame * 2970) >>> 0, marker: true });
      void transceiver.sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
    }
  }
}
