import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort, waitForPort } from './ports.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Broker {
  url: string;
  port: number;
  /** Kills the broker (SIGKILL: an outage, not a shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing retained survives). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ReceivedMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  at: number;
}

export interface BrokerOptions {
  /** TLS only, with a certificate for 127.0.0.1 signed by a CA made for the test (its PEM in `caFile`). */
  tls?: boolean;
  /** Clients must sign in with one of these; anonymous ones are refused. */
  users?: Record<string, string>;
}

/** Debian's mosquitto on a free loopback port, in memory; anonymous clients allowed unless `users`. */
export async function startMosquitto(options: BrokerOptions = {}): Promise<Broker & { caFile: string | null }> {
  if (!existsSync(MOSQUITTO)) throw new Error('mosquitto is not installed: run `apt-get install -y mosquitto` (npm test does this as root)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mqtt-'));
  const conf = join(dir, 'mosquitto.conf');
  const lines = [`listener ${port} 127.0.0.1`, `allow_anonymous ${options.users ? 'false' : 'true'}`, 'persistence false', 'log_dest stderr', 'log_type error'];
  if (options.users) {
    const passwords = join(dir, 'passwords');
    writeFileSync(passwords, '');
    for (const [user, password] of Object.entries(options.users)) execFileSync('mosquitto_passwd', ['-b', passwords, user, password]);
    lines.push(`password_file ${passwords}`);
  }
  let caFile: string | null = null;
  if (options.tls) {
    caFile = join(dir, 'ca.pem');
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=vigil test CA', '-keyout', join(dir, 'ca.key'), '-out', caFile);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.csr'));
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', join(dir, 'server.csr'), '-CA', caFile, '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '1', '-extfile', join(dir, 'san.ext'), '-out', join(dir, 'server.pem'));
    lines.push(`cafile ${caFile}`, `certfile ${join(dir, 'server.pem')}`, `keyfile ${join(dir, 'server.key')}`);
  }
  writeFileSync(conf, `${lines.join('\n')}\n`);
  // Started as root, mosquitto drops to its own user before it reads the password, key and certificate files.
  chmodSync(dir, 0o755);
  for (const file of readdirSync(dir)) chmodSync(join(dir, file), 0o644);
  let child: ChildProcess | null = null;
  let log = '';
  const start = async () => {
    const started = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.stderr!.on('data', (chunk: Buffer) => (log += chunk));
    child = started;
    await waitForPort(port).catch((error: unknown) => {
      started.kill('SIGKILL');
      throw new Error(`mosquitto did not start: ${(error as Error).message}\n${log}`);
    });
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    caFile,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A subscriber (mqtt.js, as Home Assistant's would be) that keeps every message it gets. */
export async function subscribe(url: string, topics: string[], options: { username?: string; password?: string; ca?: Buffer } = {}): Promise<{ client: MqttClient; messages: ReceivedMessage[]; close(): Promise<void> }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 200, clean: true, ...options });
  const messages: ReceivedMessage[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload, retain: packet.retain, at: Date.now() }));
  await client.subscribeAsync(topics, { qos: 1 });
  // After a broker restart, subscribe again (a clean session forgets them).
  client.on('connect', () => void client.subscribeAsync(topics, { qos: 1 }).catch(() => undefined));
  return { client, messages, close: () => client.endAsync(true) };
}
