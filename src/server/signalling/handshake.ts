import { handshakeAuthSchema, protocolError, Role, type ProtocolError } from '../../shared/index.ts';
import type { LiveAccess } from '../access/LiveAccess.ts';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { AuthService } from '../auth/AuthService.ts';
import type { CameraKeys } from '../auth/CameraKeys.ts';
import { readSessionToken } from '../http/sessionCookie.ts';
import type { AddressOf } from '../http/clientAddress.ts';
import type { Logger } from '../observability/logger.ts';
import type { VigilServer } from './types.ts';

export interface HandshakeDeps {
  auth: AuthService;
  cameraKeys: CameraKeys;
  access: LiveAccess;
  audit: AuditTrail;
  logger: Logger;
  addressOf: AddressOf;
}

function refused(error: ProtocolError): Error {
  return Object.assign(new Error(error.code), { data: error });
}

/**
 * Who is connecting, decided from the credential and never from what the client claims: an
 * operator console by its session cookie (sent with the upgrade; the `Origin` check already ran
 * in allowRequest), a camera by its API key. Auditors have no video, so no signalling. Every
 * refusal is audited and nothing about any zone is sent before this passes.
 */
export function installHandshake(io: VigilServer, deps: HandshakeDeps): void {
  io.use((socket, next) => {
    const address = deps.addressOf(socket.request);
    socket.data.address = address;
    const userAgent = String(socket.handshake.headers['user-agent'] ?? '').slice(0, 512);
    const deny = (error: ProtocolError, actor: string | null = null, detail: Record<string, unknown> = {}) => {
      const draft = { kind: 'connect.denied' as const, actor, actorRole: null, zone: null, address, userAgent, outcome: 'denied' as const, detail: { code: error.code, ...detail } };
      // No credential that held (none, a wrong or revoked key, an ended session): counted per address.
      if (actor === null) void deps.audit.recordAnonymous(draft);
      else void deps.audit.record(draft).catch((e: unknown) => deps.logger.error({ err: e }, 'audit write failed'));
      next(refused(error));
    };
    const auth = handshakeAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success) {
      deny(protocolError('HANDSHAKE_INVALID', 'Connect with auth { role: "camera" | "operator" }.'));
      return;
    }
    void (async () => {
      if (auth.data.role === Role.CAMERA) {
        const result = await deps.cameraKeys.authenticate(auth.data.apiKey, address);
        if (!result.ok) return deny(result.error);
        socket.data.principal = result.principal;
      } else {
        const token = readSessionToken(socket.handshake.headers.cookie);
        const result = await deps.auth.authenticate(token);
        if (!result.ok) return deny(result.error);
        if (result.principal.role === 'auditor') {
          return deny(protocolError('ROLE_FORBIDDEN', 'Auditors read the audit trail; they do not watch video.'), result.principal.username);
        }
        socket.data.principal = result.principal;
      }
      socket.data.role = auth.data.role;
      await deps.access.prepare(socket.data.principal);
      next();
    })().catch((error: unknown) => {
      deps.logger.error({ err: error }, 'handshake failed');
      next(refused(protocolError('INTERNAL')));
    });
  });
}
