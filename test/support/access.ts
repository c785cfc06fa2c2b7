import type { TestGateway } from './gateway.ts';
import type { TestClient } from './clients.ts';

export interface AuditEntry { id: number; kind: string; actor: string | null; zone: string | null; outcome: string; detail: Record<string, unknown> }

/** The newest audit entries of `kind`, read through the real API as the admin. */
export async function auditEntries(gw: TestGateway, kind: string): Promise<AuditEntry[]> {
  const reply = await gw.api(`/api/audit?kind=${encodeURIComponent(kind)}&limit=500`, { cookie: gw.admin.cookie });
  if (reply.status !== 200) throw new Error(`audit query failed: ${reply.status} ${reply.body}`);
  return reply.json.entries as AuditEntry[];
}

/** Resolves with the connect_error's code when the handshake is refused. */
export function handshakeRefusal(socket: TestClient): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('the handshake was accepted')));
    socket.once('connect_error', (error: Error & { data?: { code?: string } }) => resolve(error.data?.code ?? error.message));
  });
}

/** Resolves once the server ended the connection, with the code it gave and how long it took. */
export function endedBy(socket: TestClient): Promise<{ code: string; ms: number; disconnected: Promise<void> }> {
  const started = Date.now();
  const disconnected = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
  return new Promise((resolve) => socket.once('session:ended', ({ error }) => resolve({ code: error.code, ms: Date.now() - started, disconnected })));
}

/** The server is still up: a fresh admin connection answers. */
export async function assertServerUp(gw: TestGateway): Promise<void> {
  const reply = await gw.api('/healthz');
  if (reply.status !== 200) throw new Error('the gateway is down');
}
