import { isKeyRefusal, needsSignIn, Role, type ServerToClientEvents, type SessionReady } from '../../shared/index.ts';
import type { PublisherSignalling } from './cameraPublisher.ts';
import { RtcConfigHolder } from './rtcConfig.ts';
import {
  createSignallingSocket,
  handshakeErrorCode,
  request,
  type ClientEventName,
  type PayloadOf,
  type RequestResult,
  type SignallingSocket,
} from './signallingClient.ts';
import type { ViewerSignalling } from './zoneViewer.ts';

/** The page's signalling: up, lost and being retried (after it was up), or off (not started, ended). */
export type SignallingState = 'up' | 'lost' | 'off';

/** A refusal as the gateway worded it; handshake codes arrive as plain strings. */
export interface Refusal {
  readonly code: string;
  readonly message: string;
}

/** What the session itself handles; every other server event is the page's to follow. */
type SessionEvent = 'session:ready' | 'ice:servers' | 'session:ended' | 'vigil:error';
export type PageEvent = Exclude<keyof ServerToClientEvents, SessionEvent>;

/** How the page hears about its connection; the session decides what each event means. */
export interface SignallingHooks {
  /**
   * `session:ready` on the first connection and every reconnection, with the ICE configuration
   * already in place: the gateway forgot this connection's zones and peers, so put them back.
   */
  restore(session: SessionReady): void;
  /** New TURN credentials: connections made ahead under the old ones are to be made again. */
  iceServersRenewed(): void;
  /** Signalling went down, or an attempt to bring it up failed; one of the hooks below says why. */
  down(): void;
  /** The gateway cannot be reached; Socket.IO keeps retrying. Video already flowing goes on. */
  lost(): void;
  /** The gateway closed this connection itself (`io server disconnect`): nothing reconnects. */
  closed(): void;
  /**
   * The credential is no good (`session:ended`, or a handshake refused because of it): never
   * reconnect with it. The page closes the session.
   */
  ended(refusal: Refusal): void;
  /** The handshake was refused for another reason; `retrying`: Socket.IO tries again by itself. */
  refused(refusal: Refusal, retrying: boolean): void;
}

export interface SignallingSessionOptions {
  readonly role: Role;
  /** A camera's key, sent in the handshake payload; an operator goes by the session cookie. */
  readonly apiKey?: string;
  readonly hooks: SignallingHooks;
  /** Opens the socket; tests pass a fake. */
  readonly connect?: typeof createSignallingSocket;
}

/**
 * One page's connection to the gateway, the camera node's or the console's: the socket, the ICE
 * configuration with its TURN renewal, whether signalling is up, and what each way of going down
 * means. Socket.IO reconnects by itself; `hooks.restore` runs on every `session:ready`.
 */
export class SignallingSession {
  readonly #role: Role;
  readonly #socket: SignallingSocket;
  readonly #hooks: SignallingHooks;
  readonly #rtc = new RtcConfigHolder();
  #ready = false;
  /** Signalling was up once: losing it since then means the gateway is unreachable, not absent. */
  #wasReady = false;
  #closed = false;

  /** Peer-to-peer signalling bound to this connection, for a CameraPublisher or a ZoneViewer. */
  readonly peerSignalling: PublisherSignalling & ViewerSignalling = {
    offer: (peerId, sdp) => this.send('signal:offer', { peerId, sdp }),
    answer: (peerId, sdp) => this.send('signal:answer', { peerId, sdp }),
    candidate: (peerId, candidate) => this.send('signal:candidate', { peerId, candidate }),
    restart: (peerId) => this.send('signal:restart', { peerId }),
    close: (peerId) => this.send('signal:close', { peerId }),
  };

  /** Connects at once. */
  constructor(options: SignallingSessionOptions) {
    this.#role = options.role;
    this.#hooks = options.hooks;
    this.#socket = (options.connect ?? createSignallingSocket)(options.role, options.apiKey);
    this.#listen();
  }

  /** The configuration for new peer connections and ICE restarts (read each time: it is renewed). */
  get rtcConfig(): RTCConfiguration {
    return this.#rtc.current;
  }

  get connected(): boolean {
    return this.#socket.connected;
  }

  /** `session:ready` came on the current connection. */
  get ready(): boolean {
    return this.#ready;
  }

  get state(): SignallingState {
    if (this.#socket.connected) return 'up';
    return this.#wasReady && this.#socket.active ? 'lost' : 'off';
  }

  /** Follows one of the page's own server events (a viewer joined, an offer, the directory…). */
  on<E extends PageEvent>(event: E, listener: ServerToClientEvents[E]): void {
    // Socket.IO's overloads cannot follow a generic event name; the signature keeps callers typed.
    (this.#socket as unknown as { on(event: string, listener: unknown): void }).on(event, listener);
  }

  /** A client event and its acknowledgement; never rejects (see signallingClient's `request`). */
  request<E extends ClientEventName>(event: E, payload: PayloadOf<E>, timeoutMs?: number): Promise<RequestResult<E>> {
    return request(this.#socket, event, payload, timeoutMs);
  }

  /**
   * A client event whose reply nobody waits for. Refusals for a peer that has since gone, or
   * while disconnected, are expected (the peer's end closes it anyway); any other is logged.
   */
  send<E extends ClientEventName>(event: E, payload: PayloadOf<E>): void {
    void request(this.#socket, event, payload).then((reply) => {
      if (!reply.ok && reply.error.code !== 'PEER_UNKNOWN' && reply.error.code !== 'NOT_CONNECTED') {
        console.warn(`vigil: ${event} refused: ${reply.error.code}`);
      }
    });
  }

  /**
   * Silences every hook and listener at once, then disconnects, after `farewell` when given (a
   * last request, e.g. an unpublish that tells viewers at once). Idempotent.
   */
  close(farewell?: () => Promise<unknown>): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready = false;
    const socket = this.#socket;
    socket.removeAllListeners();
    if (farewell) void farewell().finally(() => socket.disconnect());
    else socket.disconnect();
  }

  #listen(): void {
    const socket = this.#socket;
    const hooks = this.#hooks;
    socket.on('session:ready', (session) => {
      this.#rtc.fromSession(session);
      this.#ready = true;
      this.#wasReady = true;
      hooks.restore(session);
    });
    socket.on('ice:servers', ({ iceServers }) => {
      this.#rtc.renew(iceServers);
      hooks.iceServersRenewed();
    });
    socket.on('vigil:error', ({ event, error }) => console.warn(`vigil: ${event} refused: ${error.code}`));
    socket.on('session:ended', ({ error }) => hooks.ended(error));
    socket.on('disconnect', (reason) => {
      this.#ready = false;
      hooks.down();
      if (reason === 'io server disconnect') hooks.closed();
      else if (reason !== 'io client disconnect') hooks.lost();
    });
    socket.on('connect_error', (error) => {
      hooks.down();
      const code = handshakeErrorCode(error);
      // Without our code the gateway was not reached at all (down, restarting, network).
      if (!code) hooks.lost();
      else if (this.#credentialRefused(code)) hooks.ended({ code, message: error.message });
      else hooks.refused({ code, message: error.message }, socket.active);
    });
  }

  #credentialRefused(code: string): boolean {
    return this.#role === Role.CAMERA ? isKeyRefusal(code) : needsSignIn(code);
  }
}
