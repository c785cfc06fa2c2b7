import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/server/config/loadConfig.ts';
import type { GatewayConfigInput } from '../../src/server/config/configSchema.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';

export interface TestGateway {
  gateway: Gateway;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A real gateway on an ephemeral loopback port with its own data directory. */
export async function startGateway(overrides: GatewayConfigInput = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-test-'));
  const config = validateConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    logLevel: (process.env.VIGIL_TEST_LOG as GatewayConfigInput['logLevel']) ?? 'silent',
    ...overrides,
  });
  const gateway = await createGateway(config);
  const { port } = await gateway.listen();
  return {
    gateway,
    port,
    url: `https://127.0.0.1:${port}`,
    async close() {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
