import { useH264, type PeerConfig } from 'werift';

/** How a relay's WebRTC ends are set up and what they advertise, the same for cameras and viewers. */
export interface RelayNetwork {
  /** The address the relay's UDP sockets bind to and gather on (`127.0.0.1` in tests). */
  listenAddress: string | null;
  /** The address viewers reach it at when it differs (1:1 NAT); written into our candidates. */
  announcedAddress: string | null;
  portRange: [number, number] | null;
  /** What the camera is told it may send (REMB), and the bitrate hint in its answer. */
  maxBitrateBps: number;
}

export function peerConfig(network: RelayNetwork): Partial<PeerConfig> {
  return {
    // H.264 only: what cameras and decoders speak, and the relay never transcodes. No
    // transport-wide congestion control (werift's feedback collapsed Chromium's bitrate): the
    // camera is steered by REMB instead.
    codecs: { video: [useH264()] },
    headerExtensions: { video: [] },
    iceUseIpv6: false,
    ...(network.listenAddress
      ? { iceAdditionalHostAddresses: [network.listenAddress], iceInterfaceAddresses: { udp4: network.listenAddress } }
      : {}),
    ...(network.portRange ? { icePortRange: network.portRange } : {}),
  };
}

/** Our candidates name the announced address instead of the one we bind to (1:1 NAT). */
export function announce(sdp: string, network: RelayNetwork): string {
  const { listenAddress, announcedAddress } = network;
  if (!listenAddress || !announcedAddress || listenAddress === announcedAddress) return sdp;
  return sdp.replaceAll(` ${listenAddress} `, ` ${announcedAddress} `);
}

/** b=AS in kbit/s on the video section: the most the camera should send us. */
export function withBitrateHint(sdp: string, bps: number): string {
  return sdp.replace(/(m=video[^\r\n]*\r\n(?:[^m][^\r\n]*\r\n)*?c=[^\r\n]*\r\n)/, `$1b=AS:${Math.round(bps / 1000)}\r\n`);
}
