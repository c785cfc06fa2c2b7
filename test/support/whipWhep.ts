import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { MediaStreamTrack, RTCPeerConnection, useH264, type RtpPacket } from 'werift';
import { startsKeyframe } from '../../src/server/media/worker/h264.ts';
import { httpsRequestTo, type HttpReply } from './http.ts';

/** werift's peer on one address only: loopback needs it named, and a veth address likewise. */
const peerOn = (address: string) => new RTCPeerConnection({
  codecs: { video: [useH264()] },
  headerExtensions: { video: [] },
  iceUseIpv6: false,
  iceAdditionalHostAddresses: [address],
  iceInterfaceAddresses: { udp4: address },
});

/** A WHEP or WHIP request with a bearer token; the body is SDP or a trickle fragment. */
export function mediaRequest(url: string, options: { method?: string; token?: string; type?: string; body?: string; headers?: Record<string, string> } = {}): Promise<HttpReply> {
  return httpsRequestTo(url, {
    method: options.method ?? 'POST',
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': options.type ?? 'application/sdp' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { rawBody: options.body } : {}),
  });
}

/** werift's offer with every candidate in it (it gathers host candidates before it returns). */
async function offerOf(pc: RTCPeerConnection): Promise<string> {
  await pc.setLocalDescription(await pc.createOffer());
  return pc.localDescription!.sdp;
}

/** The WHEP/WHIP exchange: POST the offer, and on 201 apply the answer; `location` is null otherwise. */
async function negotiate(pc: RTCPeerConnection, url: string, token: string): Promise<HttpReply & { location: string | null }> {
  const reply = await mediaRequest(url, { token, body: await offerOf(pc) });
  if (reply.status !== 201) return { ...reply, location: null };
  await pc.setRemoteDescription({ type: 'answer', sdp: reply.body });
  return { ...reply, location: String(reply.headers.location) };
}

/**
 * A WHIP encoder made of werift and ffmpeg: ffmpeg encodes a test pattern to H.264 RTP on a local
 * UDP port (constrained baseline, a keyframe every second, SPS/PPS before each), and each packet
 * is written into the werift track that WHIP publishes.
 */
export class WhipPublisher {
  readonly pc: RTCPeerConnection;
  readonly track = new MediaStreamTrack({ kind: 'video' });
  location: string | null = null;
  packets = 0;
  #udp: Socket | null = null;
  #ffmpeg: ChildProcess | null = null;

  constructor(readonly address = '127.0.0.1') {
    this.pc = peerOn(address);
    this.pc.addTransceiver(this.track, { direction: 'sendonly' });
  }

  offer(): Promise<string> {
    return offerOf(this.pc);
  }

  /** POSTs the offer; on 201 applies the answer and starts the encoder. Resolves with the reply either way. */
  async publish(gatewayUrl: string, zone: string, token: string): Promise<HttpReply> {
    const reply = await negotiate(this.pc, `${gatewayUrl}/whip/${zone}`, token);
    this.location = reply.location;
    if (reply.status === 201) await this.#encode();
    return reply;
  }

  async #encode(): Promise<void> {
    const udp = createSocket('udp4');
    this.#udp = udp;
    udp.on('message', (packet) => {
      this.packets += 1;
      this.track.writeRtp(packet);
    });
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const { port } = udp.address() as AddressInfo;
    this.#ffmpeg = spawn('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
      '-c:v', 'libx264', '-profile:v', 'baseline', '-bf', '0', '-g', '30', '-tune', 'zerolatency', '-preset', 'ultrafast',
      '-x264-params', 'repeat-headers=1', '-pix_fmt', 'yuv420p',
      '-f', 'rtp', '-payload_type', '96', '-pkt_size', '1200', `rtp://127.0.0.1:${port}`,
    ], { stdio: ['ignore', 'ignore', 'inherit'] });
  }

  async close(): Promise<void> {
    this.#ffmpeg?.kill('SIGKILL');
    this.#udp?.close();
    await this.pc.close();
  }
}

/**
 * A WHEP player made of werift: offers to receive H.264, counts what arrives (frames by RTP
 * marker bits once a keyframe began, as WeriftViewer does) and decodes nothing.
 */
export class WhepPlayer {
  readonly pc: RTCPeerConnection;
  location: string | null = null;
  frames = 0;
  packets = 0;
  /** Date.now() of the newest packet. */
  lastPacketAt = 0;
  #sawKeyframe = false;

  constructor(readonly address = '127.0.0.1') {
    this.pc = peerOn(address);
    this.pc.addTransceiver('video', { direction: 'recvonly' });
    this.pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => this.#count(rtp)));
  }

  offer(): Promise<string> {
    return offerOf(this.pc);
  }

  /** POSTs the offer; on 201 applies the answer. Resolves with the reply either way. */
  async play(gatewayUrl: string, zone: string, token: string): Promise<HttpReply> {
    const reply = await negotiate(this.pc, `${gatewayUrl}/whep/${zone}`, token);
    this.location = reply.location;
    return reply;
  }

  /** Resolves when `frames` more frames have arrived, or rejects after `timeoutMs`. */
  async waitForFrames(frames: number, timeoutMs = 15_000): Promise<void> {
    const target = this.frames + frames;
    const deadline = Date.now() + timeoutMs;
    while (this.frames < target) {
      if (Date.now() > deadline) throw new Error(`${frames - (target - this.frames)} of ${frames} frames within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    await this.pc.close();
  }

  #count(rtp: RtpPacket): void {
    this.packets += 1;
    this.lastPacketAt = Date.now();
    if (startsKeyframe(rtp.payload)) this.#sawKeyframe = true;
    if (rtp.header.marker && this.#sawKeyframe) this.frames += 1;
  }
}
