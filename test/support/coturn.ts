import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

const TURNSERVER = '/usr/bin/turnserver';
const DEPLOY_CONF = join(import.meta.dirname, '..', '..', 'deploy', 'coturn.conf');

/** Debian's coturn: installed by the test set-up when missing (as root), or a clear failure. */
export function ensureCoturn(): void {
  if (existsSync(TURNSERVER)) return;
  if (process.getuid?.() !== 0) throw new Error(`coturn is needed at ${TURNSERVER}: run \`sudo apt-get install -y coturn\``);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'coturn']]) {
    const result = spawnSync('apt-get', args, { stdio: 'ignore', env });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed: install coturn by hand`);
  }
}

/** True once a STUN Binding request to 127.0.0.1:port gets an answer: coturn is serving. */
function answersStun(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request, no attributes
    request.writeUInt32BE(0x2112a442, 4); // magic cookie
    randomBytes(12).copy(request, 8);
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), 200);
    socket.once('message', () => done(true));
    socket.once('error', () => done(false));
    socket.send(request, port, '127.0.0.1');
  });
}

export interface Coturn {
  url: string;
  port: number;
  logPath: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts coturn on a free loopback port with our deploy/coturn.conf (its listening, TLS and log
 * lines replaced for a test) and the given secret. `extraLines` are appended: a test whose peers
 * live on loopback must allow that, which production must never do. `withoutLines` drops lines of
 * the shipped file, for a control run that shows what they are for.
 */
export async function startCoturn(secret: string, extraLines: string[] = [], withoutLines?: RegExp): Promise<Coturn> {
  ensureCoturn();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-coturn-'));
  const port = await freePort();
  const relayBase = 40_000 + Math.floor(Math.random() * 20_000);
  const replaced = /^(static-auth-secret|listening-port|tls-listening-port|cert|pkey|min-port|max-port|log-file)=/;
  const deploy = readFileSync(DEPLOY_CONF, 'utf8').split('\n').filter((line) => !replaced.test(line) && !withoutLines?.test(line));
  const logPath = join(dir, 'turn.log');
  const config = [
    ...deploy,
    `static-auth-secret=${secret}`,
    'listening-ip=127.0.0.1', 'relay-ip=127.0.0.1', `listening-port=${port}`,
    `min-port=${relayBase}`, `max-port=${relayBase + 200}`,
    'no-tls', 'no-dtls', `log-file=${logPath}`, 'no-stdout-log', `pidfile=${join(dir, 'turn.pid')}`,
    ...extraLines,
  ].join('\n');
  const configPath = join(dir, 'turnserver.conf');
  writeFileSync(configPath, config);
  const child: ChildProcess = spawn(TURNSERVER, ['-c', configPath], { stdio: 'ignore' });
  const stopped = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
  const deadline = Date.now() + 10_000;
  while (!(await answersStun(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`coturn did not start on 127.0.0.1:${port}:\n${log().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    port,
    logPath,
    log,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await stopped;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
