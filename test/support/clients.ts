import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  ProtocolError,
  Role,
  ServerToClientEvents,
  SessionReady,
} from '../../src/shared/index.ts';

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectOptions {
  auth?: unknown;
  extraHeaders?: Record<string, string>;
  transports?: ('websocket' | 'polling')[];
  reconnection?: boolean;
  /** Query string of the handshake URL (credentials must never be taken from it). */
  query?: Record<string, string>;
}

/** A real socket.io-client over WSS, resolved once the server said `session:ready`. */
export async function connect(url: string, role: Role, options: ConnectOptions = {}): Promise<TestClient> {
  const socket = openSocket(url, options.auth ?? { role, protocol: 1 }, options);
  const ready = nextEvent(socket, 'session:ready');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  await ready;
  return socket;
}

export function openSocket(url: string, auth: unknown, options: ConnectOptions = {}): TestClient {
  return io(url, {
    auth: auth as Record<string, unknown>,
    transports: options.transports ?? ['websocket'],
    rejectUnauthorized: false,
    reconnection: options.reconnection ?? false,
    forceNew: true,
    extraHeaders: options.extraHeaders,
    ...(options.query ? { query: options.query } : {}),
  });
}

/** Resolves with the first `event` received, or rejects after `timeoutMs`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: TestClient,
  event: E,
  timeoutMs = 2_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: Parameters<ServerToClientEvents[E]>[0]) => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, listener as never);
  });
}

/** Records every event a socket receives, to prove what it did NOT get. */
export function recordEvents(socket: TestClient): { events: { event: string; payload: unknown }[] } {
  const log = { events: [] as { event: string; payload: unknown }[] };
  socket.onAny((event: string, payload: unknown) => log.events.push({ event, payload }));
  return log;
}

type AckReply = { ok: true; [key: string]: unknown } | { ok: false; error: ProtocolError };

/** Emits with an acknowledgement; tests send deliberately wrong payloads, so the payload is untyped. */
export function request(socket: TestClient, event: string, payload?: unknown, timeoutMs = 2_000): Promise<AckReply> {
  return (socket.timeout(timeoutMs) as unknown as { emitWithAck(event: string, payload: unknown): Promise<AckReply> })
    .emitWithAck(event, payload);
}

export const newResumeToken = (): string => randomBytes(32).toString('base64url');

/**
 * A round trip on `socket`. The server handles a sender's message and emits to its target before
 * it acknowledges, and one socket's packets arrive in order; so once the target's own round trip
 * returns, anything relayed to it earlier has arrived. Negative checks need no sleeps.
 */
export async function flush(socket: TestClient): Promise<void> {
  const reply = await request(socket, 'zone:list', {});
  if (!reply.ok) throw new Error(`flush failed: ${reply.error.code}`);
}

export const FAKE_OFFER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
export const FAKE_CANDIDATE = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
