import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.ts';

const NGINX = '/usr/sbin/nginx';
export const DEPLOY_NGINX_CONF = join(import.meta.dirname, '..', '..', 'deploy', 'nginx.conf');

export interface Nginx {
  httpPort: number;
  httpsPort: number;
  /** https://127.0.0.1:<httpsPort> */
  url: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/** Replaces `from` (which must occur exactly `count` times) with `to`: the test runs the shipped file, not a look-alike. */
function replaceExactly(text: string, from: string | RegExp, to: string, count = 1): string {
  const pattern = typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : new RegExp(from.source, `${from.flags.replace('g', '')}g`);
  const found = text.match(pattern)?.length ?? 0;
  if (found !== count) throw new Error(`deploy/nginx.conf changed shape: expected ${count} × ${pattern}, found ${found}`);
  return text.replace(pattern, to);
}

/**
 * The shipped deploy/nginx.conf in Debian's nginx, with only its ports, upstream addresses and
 * certificate paths replaced, wrapped in a minimal main configuration in a temporary prefix.
 */
export async function startNginx(options: { upstreamPorts: [number, number]; cert: string; key: string }): Promise<Nginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'vigil-nginx-'));
  for (const dir of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, dir));
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  let site = readFileSync(DEPLOY_NGINX_CONF, 'utf8');
  site = replaceExactly(site, /^ {4}listen 80;$/m, `    listen 127.0.0.1:${httpPort};`);
  site = replaceExactly(site, /^ {4}listen \[::\]:80;\n/m, '');
  site = replaceExactly(site, /^ {4}listen 443 ssl http2;$/m, `    listen 127.0.0.1:${httpsPort} ssl http2;`);
  site = replaceExactly(site, /^ {4}listen \[::\]:443 ssl http2;\n/m, '');
  site = replaceExactly(site, 'server 127.0.0.1:8443 ', `server 127.0.0.1:${options.upstreamPorts[0]} `);
  site = replaceExactly(site, 'server 127.0.0.1:8444 ', `server 127.0.0.1:${options.upstreamPorts[1]} `);
  site = replaceExactly(site, '/etc/vigil/tls/fullchain.pem', options.cert);
  site = replaceExactly(site, '/etc/vigil/tls/privkey.pem', options.key);
  writeFileSync(join(prefix, 'vigil.conf'), site);
  const errorLog = join(prefix, 'error.log');
  writeFileSync(join(prefix, 'nginx.conf'), `
daemon off;
master_process on;
worker_processes 1;
${process.getuid?.() === 0 ? 'user root root;' : ''}
pid ${join(prefix, 'nginx.pid')};
error_log ${errorLog} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(prefix, 'body')};
  proxy_temp_path ${join(prefix, 'proxy')};
  fastcgi_temp_path ${join(prefix, 'fastcgi')};
  uwsgi_temp_path ${join(prefix, 'uwsgi')};
  scgi_temp_path ${join(prefix, 'scgi')};
  include ${join(prefix, 'vigil.conf')};
}
`);
  const args = ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', errorLog];
  const check = spawnSync(NGINX, [...args, '-t'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t refused deploy/nginx.conf:\n${check.stderr}`);
  const child: ChildProcess = spawn(NGINX, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  await Promise.all([waitForPort(httpPort), waitForPort(httpsPort)]).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`nginx did not start: ${(error as Error).message}\n${stderr}`);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    httpPort,
    httpsPort,
    url: `https://127.0.0.1:${httpsPort}`,
    errorLog: () => { try { return readFileSync(errorLog, 'utf8'); } catch { return ''; } },
    async stop() {
      child.kill('SIGQUIT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      child.kill('SIGKILL');
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
