import { io, type Socket } from 'socket.io-client';
import {
  ClientRequestError,
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type HandshakeAuth,
  type RequestErrorCode,
  type Role,
  type ServerToClientEvents,
} from '../../shared/index.ts';

export type SignallingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RequestError {
  readonly code: RequestErrorCode;
  readonly message: string;
}

export type ClientEventName = keyof ClientToServerEvents;
export type PayloadOf<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
/** The acknowledgement the gateway sends for `E`, exactly as declared in the shared event map. */
type ReplyOf<E extends ClientEventName> = Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0];
type SuccessOf<E extends ClientEventName> = Extract<ReplyOf<E>, { ok: true }>;

export type RequestResult<E extends ClientEventName> = SuccessOf<E> | { ok: false; error: RequestError };

/** Long enough for a loaded gateway, short enough that a person is told something went wrong. */
export const REQUEST_TIMEOUT_MS = 5_000;

/**
 * A same-origin Socket.IO connection declaring `role`. WebSocket only: long-polling would add a
 * round trip to every candidate. Reconnection starts fast (300 ms) because a camera page that
 * reloads should be back before operators notice, and backs off to 5 s with jitter so a gateway
 * restart is not met by every client at the same instant.
 */
export function createSignallingSocket(role: Role, apiKey?: string): SignallingSocket {
  // Operators are authenticated by the session cookie the browser sends with the upgrade; a
  // camera by its key, in the handshake payload (never in the URL).
  const auth: HandshakeAuth = apiKey ? { role, protocol: PROTOCOL_VERSION, apiKey } : { role, protocol: PROTOCOL_VERSION };
  return io({
    auth,
    transports: ['websocket'],
    reconnectionDelay: 300,
    reconnectionDelayMax: 5_000,
    randomizationFactor: 0.5,
  });
}

/**
 * Sends a client event and resolves with its acknowledgement; never rejects. A request made while
 * disconnected fails at once instead of waiting in Socket.IO's send buffer: after a reconnect the
 * gateway has forgotten this connection's peers, so a buffered message would only be refused.
 * @example const reply = await request(socket, 'zone:watch', { zone: 'CBD-TRAFFIC-01' });
 */
export function request<E extends ClientEventName>(
  socket: SignallingSocket,
  event: E,
  payload: PayloadOf<E>,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<RequestResult<E>> {
  if (!socket.connected) {
    return Promise.resolve(failure(ClientRequestError.NOT_CONNECTED, 'Not connected to the gateway.'));
  }
  return new Promise((resolve) => {
    // The typed overloads cannot follow a generic event name through timeout(); the public
    // signature above keeps callers fully typed.
    const emitter = socket.timeout(timeoutMs) as unknown as {
      emit(event: string, payload: unknown, ack: (err: Error | null, reply: unknown) => void): void;
    };
    emitter.emit(event, payload, (err, reply) => {
      if (err) resolve(failure(ClientRequestError.TIMEOUT, 'The gateway did not answer in time.'));
      else if (isReply(reply)) resolve(reply as RequestResult<E>);
      else resolve(failure('INTERNAL', 'The gateway sent a malformed reply.'));
    });
  });
}

function failure(code: RequestErrorCode, message: string): { ok: false; error: RequestError } {
  return { ok: false, error: { code, message } };
}

function isReply(value: unknown): value is { ok: boolean } {
  if (typeof value !== 'object' || value === null || typeof (value as { ok?: unknown }).ok !== 'boolean') return false;
  if ((value as { ok: boolean }).ok) return true;
  const error = (value as { error?: { code?: unknown; message?: unknown } }).error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** The refusal code a server-side handshake middleware put in `connect_error`, if any. */
export function handshakeErrorCode(error: Error): string | null {
  const data = (error as Error & { data?: { code?: unknown } }).data;
  return typeof data?.code === 'string' ? data.code : null;
}
