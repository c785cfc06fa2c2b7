// The gateway under load, in a process of its own so its CPU and memory are its own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/server/config/loadConfig.ts';
import { createGateway } from '../../src/server/gateway.ts';
import { SESSION_COOKIE } from '../../src/server/http/sessionCookie.ts';

export type ServerMessage = { type: 'ready'; port: number; credentials: BenchCredentials } | { type: 'usage'; cpuMicros: number; rss: number; sockets: number };

/** Real credentials, as a deployment has them: one camera key for every zone, one admin session for the viewers. */
export interface BenchCredentials { apiKey: string; cookie: string }

const BENCH_ADMIN_PASSWORD = 'bench-admin-password';
// A cluster node: BENCH_DATABASE_URL and BENCH_REDIS_URL shared with the other node.
const cluster = process.env.BENCH_REDIS_URL
  ? { database: { url: process.env.BENCH_DATABASE_URL }, redis: { url: process.env.BENCH_REDIS_URL } }
  : {};
const gateway = await createGateway(validateConfig({
  host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-')), logLevel: 'silent', adminPassword: BENCH_ADMIN_PASSWORD, ...cluster,
}));
const { port } = await gateway.listen();
const { secret: apiKey } = await gateway.cameraKeys.create('bench camera', '*', 'bench');
const login = await gateway.auth.login('admin', BENCH_ADMIN_PASSWORD, { address: '127.0.0.1', userAgent: 'bench' });
if (!login.ok) throw new Error(`bench login failed: ${login.error.code}`);
const send = (message: ServerMessage) => process.send!(message);
send({ type: 'ready', port, credentials: { apiKey, cookie: `${SESSION_COOKIE}=${login.token}` } });

process.on('message', (message: { type: 'usage' | 'stop' }) => {
  if (message.type === 'stop') {
    void gateway.close().then(() => process.exit(0));
    return;
  }
  (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  send({ type: 'usage', cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage().rss, sockets: gateway.signalling.io.engine.clientsCount });
});
