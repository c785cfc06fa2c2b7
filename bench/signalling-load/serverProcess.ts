// The gateway under load, in a process of its own so its CPU and memory are its own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/server/config/loadConfig.ts';
import { createGateway } from '../../src/server/gateway.ts';

export type ServerMessage = { type: 'ready'; port: number } | { type: 'usage'; cpuMicros: number; rss: number; sockets: number };

const gateway = await createGateway(validateConfig({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-')), logLevel: 'silent' }));
const { port } = await gateway.listen();
const send = (message: ServerMessage) => process.send!(message);
send({ type: 'ready', port });

process.on('message', (message: { type: 'usage' | 'stop' }) => {
  if (message.type === 'stop') {
    void gateway.close().then(() => process.exit(0));
    return;
  }
  (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  send({ type: 'usage', cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage().rss, sockets: gateway.signalling.io.engine.clientsCount });
});
