import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** Debian's mosquitto on a free loopback port, in memory, anonymous clients allowed (loopback only). */
export async function startMosquitto(): Promise<Broker> {
  if (!existsSync(MOSQUITTO)) throw new Error('mosquitto is not installed: run `apt-get install -y mosquitto` (npm test does this as root)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mqtt-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\n`);
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
    url: `mqtt://127.0.0.1:${port}`,
    port,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A subscriber (mqtt.js, as Home Assistant's would be) that keeps every message it gets. */
export async function subscribe(url: string, topics: string[]): Promise<{ client: MqttClient; messages: ReceivedMessage[]; close(): Promise<void> }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 200, clean: true });
  const messages: ReceivedMessage[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload, retain: packet.retain, at: Date.now() }));
  await client.subscribeAsync(topics, { qos: 1 });
  // After a broker restart, subscribe again (a clean session forgets them).
  client.on('connect', () => void client.subscribeAsync(topics, { qos: 1 }).catch(() => undefined));
  return { client, messages, close: () => client.endAsync(true) };
}
