/**
 * The error catalogue: every refusal the gateway sends has one of these codes.
 * docs/protocol.md carries the same table; a test fails when they differ.
 */
export const ErrorCode = {
  PAYLOAD_INVALID: 'PAYLOAD_INVALID',
  EVENT_UNKNOWN: 'EVENT_UNKNOWN',
  HANDSHAKE_INVALID: 'HANDSHAKE_INVALID',
  ROLE_FORBIDDEN: 'ROLE_FORBIDDEN',
  ZONE_INVALID: 'ZONE_INVALID',
  ZONE_BUSY: 'ZONE_BUSY',
  ALREADY_PUBLISHING: 'ALREADY_PUBLISHING',
  NOT_PUBLISHING: 'NOT_PUBLISHING',
  NOT_WATCHING: 'NOT_WATCHING',
  WATCH_LIMIT: 'WATCH_LIMIT',
  PEER_UNKNOWN: 'PEER_UNKNOWN',
  CANDIDATE_LIMIT: 'CANDIDATE_LIMIT',
  RATE_LIMITED: 'RATE_LIMITED',
  ORIGIN_FORBIDDEN: 'ORIGIN_FORBIDDEN',
  AUTH_REQUIRED: 'AUTH_REQUIRED',
  SESSION_EXPIRED: 'SESSION_EXPIRED',
  SESSION_REVOKED: 'SESSION_REVOKED',
  LOGIN_FAILED: 'LOGIN_FAILED',
  KEY_INVALID: 'KEY_INVALID',
  KEY_REVOKED: 'KEY_REVOKED',
  ZONE_FORBIDDEN: 'ZONE_FORBIDDEN',
  CONTROL_FORBIDDEN: 'CONTROL_FORBIDDEN',
  PTZ_UNAVAILABLE: 'PTZ_UNAVAILABLE',
  PTZ_FAILED: 'PTZ_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  SEND_BUFFER_FULL: 'SEND_BUFFER_FULL',
  TOKEN_INVALID: 'TOKEN_INVALID',
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  ZONE_OFFLINE: 'ZONE_OFFLINE',
  ICE_RESTART_UNSUPPORTED: 'ICE_RESTART_UNSUPPORTED',
  RELAY_DISABLED: 'RELAY_DISABLED',
  MEDIA_TIMEOUT: 'MEDIA_TIMEOUT',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

interface ErrorInfo {
  /** What the code means, for people reading logs and docs/protocol.md. */
  readonly meaning: string;
  /** HTTP status used when the same refusal is answered over HTTP. */
  readonly httpStatus: number;
}

export const errorCatalogue: Readonly<Record<ErrorCode, ErrorInfo>> = {
  PAYLOAD_INVALID: { meaning: 'The event payload does not match its schema (type, size or shape).', httpStatus: 400 },
  EVENT_UNKNOWN: { meaning: 'The event name is not part of the protocol.', httpStatus: 404 },
  HANDSHAKE_INVALID: { meaning: 'The connection handshake did not declare a valid role.', httpStatus: 400 },
  ROLE_FORBIDDEN: { meaning: 'The event or page is not allowed for this connection\'s or account\'s role.', httpStatus: 403 },
  ZONE_INVALID: { meaning: 'The zone identifier is not [A-Z0-9]+(-[A-Z0-9]+)* of at most 64 characters.', httpStatus: 400 },
  ZONE_BUSY: { meaning: 'Another camera is already publishing into this zone.', httpStatus: 409 },
  ALREADY_PUBLISHING: { meaning: 'This camera connection already publishes a different zone.', httpStatus: 409 },
  NOT_PUBLISHING: { meaning: 'This camera connection is not publishing the zone named.', httpStatus: 409 },
  NOT_WATCHING: { meaning: 'This operator connection is not watching the zone named.', httpStatus: 409 },
  WATCH_LIMIT: { meaning: 'This operator connection already watches the maximum number of zones.', httpStatus: 429 },
  PEER_UNKNOWN: { meaning: 'The peer id does not name a session this connection takes part in.', httpStatus: 404 },
  CANDIDATE_LIMIT: { meaning: 'This connection sent more ICE candidates to the peer than one description can have; send an offer, answer or restart first.', httpStatus: 429 },
  RATE_LIMITED: { meaning: 'Too many events from this connection; slow down.', httpStatus: 429 },
  ORIGIN_FORBIDDEN: { meaning: 'The WebSocket handshake came from a page of a foreign origin.', httpStatus: 403 },
  AUTH_REQUIRED: { meaning: 'No valid session or camera key came with the request; log in (operators) or present an API key (cameras).', httpStatus: 401 },
  SESSION_EXPIRED: { meaning: 'The session reached its lifetime or idle timeout; log in again.', httpStatus: 401 },
  SESSION_REVOKED: { meaning: 'The session was ended: logout, an administrator, a password change or a disabled account.', httpStatus: 401 },
  LOGIN_FAILED: { meaning: 'Unknown user, wrong password or disabled account (deliberately not told apart).', httpStatus: 401 },
  KEY_INVALID: { meaning: 'The camera API key is not one the gateway issued.', httpStatus: 401 },
  KEY_REVOKED: { meaning: 'The camera API key was revoked by an administrator.', httpStatus: 401 },
  ZONE_FORBIDDEN: { meaning: 'The zone is outside this account\'s grants or this camera key\'s zone pattern.', httpStatus: 403 },
  CONTROL_FORBIDDEN: { meaning: 'This account may watch the zone but not steer its camera: its grant lacks the control right.', httpStatus: 403 },
  PTZ_UNAVAILABLE: { meaning: 'The zone\'s camera cannot be steered: it is not an IP camera reached over ONVIF, or it has no PTZ.', httpStatus: 404 },
  PTZ_FAILED: { meaning: 'The camera did not carry out the PTZ command: it did not answer, or refused it.', httpStatus: 502 },
  NOT_FOUND: { meaning: 'The thing named does not exist.', httpStatus: 404 },
  CONFLICT: { meaning: 'The change clashes with what exists (a username already taken, a key already revoked).', httpStatus: 409 },
  SEND_BUFFER_FULL: { meaning: 'The connection stopped reading: more than the limit of messages for it was waiting, so the gateway closed it.', httpStatus: 503 },
  TOKEN_INVALID: { meaning: 'The bearer token is not a WHEP or WHIP token the gateway issued.', httpStatus: 401 },
  TOKEN_REVOKED: { meaning: 'The bearer token was revoked by an administrator.', httpStatus: 401 },
  TOKEN_EXPIRED: { meaning: 'The bearer token is past its expiry.', httpStatus: 401 },
  ZONE_OFFLINE: { meaning: 'The zone has no live camera to watch; ask again once it publishes.', httpStatus: 404 },
  ICE_RESTART_UNSUPPORTED: { meaning: 'This media session takes trickled ICE candidates but not ICE restarts; start a new session.', httpStatus: 422 },
  RELAY_DISABLED: { meaning: 'WHEP and WHIP need the media relay, and this gateway runs without it (media.policy p2p); in a cluster, WHEP players are not served yet.', httpStatus: 503 },
  MEDIA_TIMEOUT: { meaning: 'The media relay did not answer the offer in time; nothing was set up.', httpStatus: 504 },
  STORE_UNAVAILABLE: { meaning: 'The evidence store (an S3-compatible bucket) did not take or give the clip; try again.', httpStatus: 503 },
  INTERNAL: { meaning: 'The gateway failed unexpectedly; the event had no effect.', httpStatus: 500 },
};

/** The error value carried in acknowledgements and `vigil:error` events. */
export interface ProtocolError {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Builds a protocol error with the catalogue's meaning unless a more specific message is given.
 * @example protocolError('ZONE_BUSY') // { code: 'ZONE_BUSY', message: 'Another camera is already …' }
 */
export function protocolError(code: ErrorCode, message?: string): ProtocolError {
  return { code, message: message ?? errorCatalogue[code].meaning };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCode, value);
}

/** Codes a client gives a request that got no answer at all; the gateway never sends them. */
export const ClientRequestError = {
  TIMEOUT: 'TIMEOUT',
  NOT_CONNECTED: 'NOT_CONNECTED',
} as const;
export type ClientRequestError = (typeof ClientRequestError)[keyof typeof ClientRequestError];

/** Every code a client can see for a request: the gateway's refusals and its own. */
export type RequestErrorCode = ErrorCode | ClientRequestError;

// What a client does after a refusal, decided here once for every page (and the edge node).
const TEMPORARY_REFUSALS: ReadonlySet<string> = new Set<RequestErrorCode>(['NOT_CONNECTED', 'TIMEOUT', 'RATE_LIMITED', 'INTERNAL']);
const SIGN_IN_REFUSALS: ReadonlySet<string> = new Set<ErrorCode>(['AUTH_REQUIRED', 'SESSION_EXPIRED', 'SESSION_REVOKED']);
const KEY_REFUSALS: ReadonlySet<string> = new Set<ErrorCode>(['KEY_INVALID', 'KEY_REVOKED', 'AUTH_REQUIRED']);

/**
 * A refusal that says nothing about the request itself (the gateway was unreachable, slow, busy
 * or failed): the same request may succeed later, so a client keeps what it asked for and retries.
 * @example isTemporaryRefusal('RATE_LIMITED') // true
 * @example isTemporaryRefusal('ZONE_FORBIDDEN') // false
 */
export function isTemporaryRefusal(code: string): boolean {
  return TEMPORARY_REFUSALS.has(code);
}

/**
 * An operator's session is missing or over: only signing in again helps.
 * @example needsSignIn('SESSION_EXPIRED') // true
 */
export function needsSignIn(code: string): boolean {
  return SIGN_IN_REFUSALS.has(code);
}

/**
 * A camera's API key is missing or no good: retrying with it cannot help; the node needs another.
 * @example isKeyRefusal('KEY_REVOKED') // true
 */
export function isKeyRefusal(code: string): boolean {
  return KEY_REFUSALS.has(code);
}
