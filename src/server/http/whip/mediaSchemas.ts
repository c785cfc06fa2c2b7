/**
 * The WHEP and WHIP requests: path parameters and bodies (zod, checked after the bearer token).
 * The bodies are SDP text, not JSON: an offer (`application/sdp`) or a trickle fragment
 * (`application/trickle-ice-sdpfrag`). Documented in docs/protocol.md ("WHEP and WHIP").
 */
import { z } from 'zod';
import { Limits } from '../../../shared/index.ts';

export const SDP_TYPE = 'application/sdp';
export const FRAGMENT_TYPE = 'application/trickle-ice-sdpfrag';

/** Any string reaches the handler, which answers ZONE_INVALID (not PAYLOAD_INVALID) when malformed, as signalling does. */
export const zoneParamsSchema = z.strictObject({ zone: z.string().max(1024) });

/** Session ids are 128-bit base64url secrets minted by the gateway. */
export const sessionParamsSchema = z.strictObject({
  zone: z.string().max(1024),
  session: z.string().min(1).max(Limits.peerIdMaxLength).regex(/^[A-Za-z0-9_-]+$/),
});

export const offerBodySchema = z.string().min(1).max(Limits.sdpMaxLength).startsWith('v=0', 'an SDP offer starts with v=0');

export const fragmentBodySchema = z.string().max(Limits.sdpMaxLength);
