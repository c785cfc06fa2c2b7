import { clientEvents, isClientEventName, protocolError, type ProtocolError } from '../../shared/index.ts';
import type { Logger } from '../observability/logger.ts';
import { TokenBucket } from './TokenBucket.ts';
import type { VigilSocket } from './types.ts';

export const EVENT_BUDGET = { burst: 600, perSecond: 200, refusalsBeforeDisconnect: 1_000 } as const;

/** Event names are echoed back in refusals; never echo more than this. */
const ECHO_MAX = 64;

/** Sends a refusal by acknowledgement when the client asked for one, else as a `vigil:error` event. */
export function refuse(socket: VigilSocket, event: unknown, ack: unknown, error: ProtocolError): void {
  if (typeof ack === 'function') ack({ ok: false, error });
  else socket.emit('vigil:error', { event: String(event).slice(0, ECHO_MAX), error });
}

function describeIssue(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return 'Payload does not match the schema.';
  const where = issue.path.length ? issue.path.map(String).join('.').slice(0, ECHO_MAX) : 'payload';
  return `${where}: ${issue.message}`;
}

/**
 * Per-packet middleware: rate limit, known event, allowed role, schema. A packet that passes is
 * rewritten to `[event, parsedPayload, ack?]`, so handlers only ever see parsed data.
 * Deny by default: anything not in the protocol table is refused.
 */
export interface EventGuardHooks {
  /** A refusal worth auditing (the first rate-limit refusal of a flood, every other kind). */
  onDenied(event: string, error: ProtocolError): void;
  /** Every packet the rate limit refused. */
  onRateLimited(): void;
}

export function installEventGuard(socket: VigilSocket, logger: Logger, hooks: EventGuardHooks): void {
  const bucket = new TokenBucket(EVENT_BUDGET.burst, EVENT_BUDGET.perSecond);
  let refusedForRate = 0;
  const deny = (event: unknown, ack: unknown, error: ProtocolError) => {
    refuse(socket, event, ack, error);
    hooks.onDenied(String(event).slice(0, ECHO_MAX), error);
  };
  socket.use((packet, next) => {
    const [event, ...args] = packet as unknown[];
    const last = args.at(-1);
    const ack = typeof last === 'function' ? last : undefined;
    if (!bucket.take()) {
      refusedForRate += 1;
      hooks.onRateLimited();
      // The first refusal of a flood is audited; the thousand after it only counted.
      if (refusedForRate === 1) deny(event, ack, protocolError('RATE_LIMITED'));
      else refuse(socket, event, ack, protocolError('RATE_LIMITED'));
      if (refusedForRate >= EVENT_BUDGET.refusalsBeforeDisconnect) {
        logger.warn({ refusedForRate }, 'event flood: disconnecting');
        socket.disconnect(true);
      }
      return;
    }
    if (!isClientEventName(event)) {
      deny(event, ack, protocolError('EVENT_UNKNOWN'));
      return;
    }
    const rule = clientEvents[event];
    if (!(rule.roles as readonly string[]).includes(socket.data.role)) {
      deny(event, ack, protocolError('ROLE_FORBIDDEN', `${event} is not allowed for a ${socket.data.role} connection.`));
      return;
    }
    const parsed = rule.schema.safeParse(args[0]);
    if (!parsed.success) {
      logger.debug({ event }, 'payload refused');
      deny(event, ack, protocolError('PAYLOAD_INVALID', describeIssue(parsed.error.issues)));
      return;
    }
    packet.length = 0;
    packet.push(event, parsed.data, ...(ack ? [ack] : []));
    next();
  });
}
