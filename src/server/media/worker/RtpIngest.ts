import type { RemoteInfo, Socket } from 'node:dgram';
import { bindLoopbackUdp } from './loopbackUdp.ts';
import { RtpPacket } from 'werift';

/**
 * A camera's video as plain RTP on loopback: what ffmpeg sends when it pulls an IP camera with
 * `-c copy`. No ICE, no DTLS (the packets never leave the machine) and nobody to ask for a
 * keyframe, so the relay's GOP cache is what gives a new viewer its first picture. The first
 * sender owns the port: packets from any other local port are dropped.
 */
export class RtpIngest {
  readonly #rtp: Socket;
  readonly #rtcp: Socket;
  #sender: string | null = null;
  /** Told of the first packet, then dropped. */
  #onFirst: (() => void) | null;
  #closed = false;

  private constructor(rtp: Socket, rtcp: Socket, onPacket: (rtp: RtpPacket) => void, onFirst: () => void) {
    this.#onFirst = onFirst;
    this.#rtp = rtp;
    this.#rtcp = rtcp;
    rtp.on('message', (message: Buffer, from: RemoteInfo) => {
      const sender = `${from.address}:${from.port}`;
      if (this.#sender === null) this.#sender = sender;
      else if (this.#sender !== sender) return;
      let packet: RtpPacket;
      try {
        packet = RtpPacket.deSerialize(message);
      } catch {
        return; // not RTP: ignored, like any stray datagram
      }
      this.#onFirst?.();
      this.#onFirst = null;
      onPacket(packet);
    });
    // ffmpeg's sender reports: read and dropped (the relay's viewers get their own from werift).
    rtcp.on('message', () => undefined);
  }

  /** Opens the RTP port and, beside it, one for the sender's RTCP. */
  static async open(onPacket: (rtp: RtpPacket) => void, onFirst: () => void): Promise<RtpIngest> {
    const rtp = await bindLoopbackUdp();
    // A big receive buffer: a keyframe arrives as a burst of packets.
    rtp.setRecvBufferSize(4 * 1024 * 1024);
    const rtcp = await bindLoopbackUdp();
    return new RtpIngest(rtp, rtcp, onPacket, onFirst);
  }

  get ports(): { port: number; rtcpPort: number } {
    return { port: this.#rtp.address().port, rtcpPort: this.#rtcp.address().port };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rtp.close();
    this.#rtcp.close();
  }
}
