import { RTCPeerConnection, useH264, type RtpPacket } from 'werift';
import { carriesSps, startsKeyframe } from '../../src/server/media/worker/h264.ts';
import type { TestClient } from './clients.ts';
import { request } from './clients.ts';

/**
 * A non-browser viewer: an operator's signalling connection whose tile is a werift peer that
 * counts what arrives (frames by RTP marker bits, keyframes by their first packet) and decodes
 * nothing. Many of them cost little, so a test or bench can watch a camera with dozens.
 */
export class WeriftViewer {
  frames = 0;
  keyframes = 0;
  packets = 0;
  bytes = 0;
  /** Date.now() of the first packet and of the end of the first complete keyframe. */
  firstPacketAt: number | null = null;
  firstFrameAt: number | null = null;
  /**
   * Whether the first packet that reached it began a picture a decoder can start from (a
   * keyframe with its SPS): the relay must never start a viewer mid-picture or without one.
   */
  firstPacketStartsPicture: boolean | null = null;
  /** Date.now() when its connection first reached `connected`. */
  connectedAt: number | null = null;
  /** The peer ids offered so far, and whether the last one came from the relay. */
  readonly offers: { peerId: string; via: string | undefined }[] = [];
  #pc: RTCPeerConnection | null = null;
  #sawKeyframe = false;

  constructor(readonly socket: TestClient, readonly zone: string, readonly listenAddress = '127.0.0.1') {
    socket.on('signal:offer', ({ zone: offeredZone, peerId, sdp, via }) => {
      if (offeredZone !== zone) return;
      this.offers.push({ peerId, via });
      void this.#answer(peerId, sdp).catch((error: unknown) => console.error('werift viewer failed to answer', error));
    });
  }

  /** Watches the zone; resolves with the watch reply. */
  async watch(): Promise<unknown> {
    return request(this.socket, 'zone:watch', { zone: this.zone });
  }

  get connectionState(): string {
    return this.#pc?.connectionState ?? 'none';
  }

  /** Resolves when `frames` frames have arrived since the call, or rejects after `timeoutMs`. */
  async waitForFrames(frames: number, timeoutMs = 10_000): Promise<void> {
    const target = this.frames + frames;
    const deadline = Date.now() + timeoutMs;
    while (this.frames < target) {
      if (Date.now() > deadline) throw new Error(`${this.frames - (target - frames)} of ${frames} frames within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    this.socket.disconnect();
    await this.#pc?.close();
  }

  async #answer(peerId: string, offer: string): Promise<void> {
    const sameConnection = this.#pc !== null && this.offers.at(-2)?.peerId === peerId;
    if (!sameConnection) {
      await this.#pc?.close();
      this.#pc = new RTCPeerConnection({
        codecs: { video: [useH264()] },
        headerExtensions: { video: [] },
        iceUseIpv6: false,
        iceAdditionalHostAddresses: [this.listenAddress],
        iceInterfaceAddresses: { udp4: this.listenAddress },
      });
      this.#pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => this.#count(rtp)));
      this.#pc.connectionStateChange.subscribe((state) => {
        if (state === 'connected') this.connectedAt ??= Date.now();
      });
    }
    const pc = this.#pc!;
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    this.socket.emit('signal:answer', { peerId, sdp: pc.localDescription!.sdp });
  }

  #count(rtp: RtpPacket): void {
    const now = Date.now();
    if (this.firstPacketAt === null) {
      this.firstPacketAt = now;
      this.firstPacketStartsPicture = startsKeyframe(rtp.payload) && carriesSps(rtp.payload);
    }
    this.packets += 1;
    this.bytes += rtp.payload.length;
    if (startsKeyframe(rtp.payload)) {
      this.keyframes += 1;
      this.#sawKeyframe = true;
    }
    if (rtp.header.marker && this.#sawKeyframe) {
      this.frames += 1;
      this.firstFrameAt ??= now;
    }
  }
}
