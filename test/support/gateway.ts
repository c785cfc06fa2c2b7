import { mkdtempSync, rmSync } from 'node:fs';
import { after, before } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountRole, Role } from '../../src/shared/index.ts';
import { validateConfig } from '../../src/server/config/loadConfig.ts';
import type { GatewayConfigInput } from '../../src/server/config/configSchema.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { connect, type ConnectOptions, type TestClient } from './clients.ts';
import { cookieFrom, httpsRequestTo, type HttpOptions, type HttpReply } from './http.ts';

export const TEST_ADMIN_PASSWORD = 'correct-horse-battery-staple';

export interface TestUser {
  id: number;
  username: string;
  password: string;
  /** `__Host-vigil_sid=…`, for the Cookie header. */
  cookie: string;
}

export interface TestGateway {
  gateway: Gateway;
  url: string;
  port: number;
  dataDir: string;
  admin: TestUser;
  /** An HTTPS request to this gateway; same-origin by default (Origin header of the gateway). */
  api(path: string, options?: HttpOptions & { cookie?: string }): Promise<HttpReply>;
  login(username: string, password: string, localAddress?: string): Promise<string>;
  /** Creates a person through the admin API, grants `zonePatterns`, and logs them in. */
  addUser(username: string, role: AccountRole, zonePatterns?: string[]): Promise<TestUser>;
  grant(userId: number, pattern: string, expiresAt?: string): Promise<number>;
  revokeGrant(grantId: number): Promise<void>;
  /** A camera API key (the secret) for `zonePattern`, made through the admin API. */
  createCameraKey(zonePattern: string, label?: string): Promise<string>;
  /**
   * A signalling connection with real credentials: an operator as the admin (sees every zone)
   * unless `cookie` is given, a camera with a `*` key unless `apiKey` is given.
   */
  connect(role: Role, options?: ConnectOptions & { cookie?: string; apiKey?: string }): Promise<TestClient>;
  close(): Promise<void>;
}

/** A real gateway on an ephemeral loopback port with its own data directory and a known admin. */
export async function startGateway(overrides: GatewayConfigInput = {}, existingDataDir?: string): Promise<TestGateway> {
  const dataDir = existingDataDir ?? mkdtempSync(join(tmpdir(), 'vigil-test-'));
  const config = validateConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    adminPassword: TEST_ADMIN_PASSWORD,
    logLevel: (process.env.TEST_LOG_LEVEL as GatewayConfigInput['logLevel']) ?? 'silent',
    ...overrides,
    // Test browsers reach the relay on loopback only (see launchBrowser).
    media: { listenAddress: '127.0.0.1', ...overrides.media },
  });
  const gateway = await createGateway(config);
  const { port } = await gateway.listen();
  const url = `https://127.0.0.1:${port}`;

  const api: TestGateway['api'] = (path, options = {}) => httpsRequestTo(`${url}${path}`, {
    ...options,
    headers: { origin: url, ...(options.cookie ? { cookie: options.cookie } : {}), ...options.headers },
  });
  const login = async (username: string, password: string, localAddress?: string) => {
    const reply = await api('/api/auth/login', { body: { username, password }, localAddress });
    if (reply.status !== 200) throw new Error(`login of ${username} failed: ${reply.status} ${reply.body}`);
    return cookieFrom(reply);
  };
  const adminCookie = await login('admin', TEST_ADMIN_PASSWORD);
  const admin: TestUser = { id: 1, username: 'admin', password: TEST_ADMIN_PASSWORD, cookie: adminCookie };
  const asAdmin = async (path: string, options: HttpOptions = {}) => {
    const reply = await api(path, { ...options, cookie: adminCookie });
    if (reply.status >= 300) throw new Error(`${options.method ?? 'POST'} ${path} failed: ${reply.status} ${reply.body}`);
    return reply.json;
  };
  const grant = async (userId: number, pattern: string, expiresAt?: string) =>
    (await asAdmin('/api/grants', { body: { userId, pattern, ...(expiresAt ? { expiresAt } : {}) } })).grant.id as number;
  const createCameraKey = async (zonePattern: string, label = `test ${zonePattern}`) =>
    (await asAdmin('/api/keys', { body: { label, zonePattern } })).secret as string;
  let anyZoneKey: Promise<string> | null = null;

  return {
    gateway, url, port, dataDir, admin, api, login, grant, createCameraKey,
    async addUser(username, role, zonePatterns = []) {
      const password = `${username}-password-long-enough`;
      const { user } = await asAdmin('/api/users', { body: { username, password, role } });
      for (const pattern of zonePatterns) await grant(user.id, pattern);
      return { id: user.id, username, password, cookie: await login(username, password) };
    },
    async revokeGrant(grantId) {
      await asAdmin(`/api/grants/${grantId}`, { method: 'DELETE' });
    },
    async connect(role, options = {}) {
      if (role === 'camera') {
        const apiKey = options.apiKey ?? (await (anyZoneKey ??= createCameraKey('*', 'test camera')));
        return connect(url, role, { ...options, auth: options.auth ?? { role, protocol: 1, apiKey } });
      }
      const cookie = options.cookie ?? adminCookie;
      return connect(url, role, { ...options, extraHeaders: { cookie, ...options.extraHeaders } });
    },
    async close() {
      await gateway.close();
      if (!existingDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One gateway for a whole test file (servers are shared within a file), started before its
 * first test and closed after its last, with the clients its tests open closed first.
 */
export function gatewayPerFile(overrides: GatewayConfigInput = {}) {
  let gateway: TestGateway | undefined;
  const clients: TestClient[] = [];
  before(async () => { gateway = await startGateway(overrides); });
  after(async () => {
    clients.forEach((c) => c.close());
    await gateway?.close();
  });
  const started = (): TestGateway => {
    if (!gateway) throw new Error('the gateway starts in before(); use it inside a test');
    return gateway;
  };
  return {
    get gw(): TestGateway { return started(); },
    /** A signalling client with real credentials (see TestGateway.connect), closed after the file. */
    async open(role: Role): Promise<TestClient> {
      const client = await started().connect(role);
      clients.push(client);
      return client;
    },
  };
}
