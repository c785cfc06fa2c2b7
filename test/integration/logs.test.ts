import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { validateConfig } from '../../src/server/config/loadConfig.ts';
import { createGateway } from '../../src/server/gateway.ts';
import { createLogger } from '../../src/server/observability/logger.ts';
import { connect } from '../support/clients.ts';
import { TEST_ADMIN_PASSWORD } from '../support/gateway.ts';
import { cookieFrom, httpsRequestTo } from '../support/http.ts';

describe('logs', () => {
  it('are JSON lines: one per API request with its request id, one per audited event, socket lines with the socket id, and nothing secret', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-logs-'));
    const gateway = await createGateway(validateConfig({ host: '127.0.0.1', port: 0, dataDir, adminPassword: TEST_ADMIN_PASSWORD, logLevel: 'info' }), { logger: createLogger('info', sink) });
    try {
      const { port } = await gateway.listen();
      const url = `https://127.0.0.1:${port}`;
      const headers = { origin: url };
      await httpsRequestTo(`${url}/api/auth/login?next=/x`, { body: { username: 'admin', password: 'not-the-password-123' }, headers });
      const cookie = cookieFrom(await httpsRequestTo(`${url}/api/auth/login`, { body: { username: 'admin', password: TEST_ADMIN_PASSWORD }, headers }));
      const key = await httpsRequestTo(`${url}/api/keys`, { body: { label: 'pole', zonePattern: 'CBD-*' }, headers: { ...headers, cookie } });
      const socket = await connect(url, 'operator', { extraHeaders: { cookie } });
      socket.close();
      await new Promise((resolve) => setTimeout(resolve, 200));

      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const requests = entries.filter((e) => e.msg === 'request' && e.path === '/api/auth/login');
      assert.equal(requests.length, 2);
      assert.ok(requests.every((e) => typeof e.reqId === 'string' && e.reqId !== '' && e.service === 'vigil'));
      assert.deepEqual(requests.map((e) => e.status), [401, 200]);
      assert.ok(entries.some((e) => e.msg === 'login.failure' && e.level === 40 && e.code === 'wrong_password'));
      assert.ok(entries.some((e) => e.msg === 'login.success' && e.actor === 'admin'));
      assert.ok(entries.some((e) => e.msg === 'connected' && typeof e.socket === 'string' && e.who === 'admin'));

      const everything = lines.join('\n');
      const token = cookie.split('=')[1]!;
      for (const secret of [TEST_ADMIN_PASSWORD, 'not-the-password-123', token, key.json.secret as string]) {
        assert.ok(!everything.includes(secret), `a secret reached the log: ${secret.slice(0, 6)}…`);
      }
      assert.ok(!everything.includes('next=/x'), 'query strings are not logged');
    } finally {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
