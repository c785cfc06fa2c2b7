import type { IceServer, SessionReady } from '../../shared/index.ts';

/**
 * The RTCPeerConnection configuration the gateway hands out: its ICE servers (with TURN
 * credentials that it renews by `ice:servers`) and its transport policy. Nothing is baked into
 * the bundle.
 */
export class RtcConfigHolder {
  #config: RTCConfiguration = { iceServers: [], iceTransportPolicy: 'all' };

  get current(): RTCConfiguration {
    return this.#config;
  }

  fromSession(session: Pick<SessionReady, 'iceServers' | 'iceTransportPolicy'>): void {
    this.#config = { iceServers: session.iceServers, iceTransportPolicy: session.iceTransportPolicy };
  }

  renew(iceServers: IceServer[]): void {
    this.#config = { ...this.#config, iceServers };
  }
}
