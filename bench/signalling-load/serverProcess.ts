// The gateway under load, in a process of its own so its CPU and memory are its own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/server/config/loadConfig.ts';
import { createGateway } from '../../src/server/gateway.ts';
import { SESSION_COOKIE } from '../../src/server/http/sessionCookie.ts';
import { serveCommands } from './serverControl.ts';

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
serveCommands({
  url: `https://127.0.0.1:${port}`,
  credentials: { apiKey, cookie: `${SESSION_COOKIE}=${login.token}` },
  sockets: () => gateway.signalling.io.engine.clientsCount,
  close: () => gateway.close(),
});
