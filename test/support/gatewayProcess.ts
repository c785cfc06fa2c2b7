import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_ADMIN_PASSWORD } from './gateway.ts';
import { cookieFrom, httpsRequestTo, type HttpOptions, type HttpReply } from './http.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'server', 'main.ts');

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  port: number;
  dataDir: string;
  /** Everything the process printed so far (banner and JSON log lines). */
  output(): string;
  /** Resolves when the process ends, with how it ended and when. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  api(path: string, options?: HttpOptions & { cookie?: string }): Promise<HttpReply>;
  /** Logs the first admin in (VIGIL_ADMIN_PASSWORD is set by spawnGateway). */
  adminCookie(): Promise<string>;
}

/**
 * The real entry point (`src/server/main.ts`) as its own process, the way systemd runs it:
 * configured by VIGIL_* variables, listening on a free loopback port read back from the banner.
 */
export async function spawnGateway(env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'vigil-proc-'))): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, VIGIL_HOST: '127.0.0.1', VIGIL_PORT: '0', VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'info', VIGIL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, VIGIL_MEDIA_LISTEN_ADDRESS: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start:\n${output}`)), 30_000);
    const look = () => {
      const match = /Listening:\s+\S+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', look);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', look);
    void exited.then(() => reject(new Error(`the gateway exited during start-up:\n${output}`)));
  });
  const url = `https://127.0.0.1:${port}`;
  const api: GatewayProcess['api'] = (path, options = {}) => httpsRequestTo(`${url}${path}`, {
    ...options,
    headers: { origin: url, ...(options.cookie ? { cookie: options.cookie } : {}), ...options.headers },
  });
  return {
    child, url, port, dataDir, exited, api,
    output: () => output,
    async adminCookie() {
      return cookieFrom(await api('/api/auth/login', { body: { username: 'admin', password: TEST_ADMIN_PASSWORD } }));
    },
  };
}
