// What the signalling part asks of a server process under load (the gateway, or the transport
// floor) over the IPC channel, and how the process answers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';

/** Real credentials, as a deployment has them: one camera key for every zone, one admin session for the viewers. */
export interface BenchCredentials { apiKey: string; cookie: string }

export type ServerMessage =
  | { type: 'ready'; url: string; credentials: BenchCredentials }
  | { type: 'usage'; cpuMicros: number; rss: number; heapUsed: number; sockets: number }
  | { type: 'profiled' };
export type ServerCommand = { type: 'usage' } | { type: 'stop' } | { type: 'profile'; action: 'start' } | { type: 'profile'; action: 'stop'; path: string };

const send = (message: ServerMessage) => process.send!(message);

/**
 * Answers the part's commands: `usage` (CPU and RSS of this process after a full GC, and its
 * connected sockets), `profile` (the V8 profiler runs only between start and stop, so start-up
 * and connecting stay out of the profile) and `stop`.
 */
export function serveCommands(server: { url: string; credentials: BenchCredentials; sockets(): number; close(): Promise<void> }): void {
  const profiler = new Session();
  process.on('message', async (command: ServerCommand) => {
    if (command.type === 'stop') {
      await server.close();
      process.exit(0);
    } else if (command.type === 'usage') {
      (globalThis as { gc?: () => void }).gc?.();
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      send({ type: 'usage', cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed, sockets: server.sockets() });
    } else if (command.action === 'start') {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
      await profiler.post('Profiler.start');
      send({ type: 'profiled' });
    } else {
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      mkdirSync(dirname(command.path), { recursive: true });
      writeFileSync(command.path, JSON.stringify(profile));
      send({ type: 'profiled' });
    }
  });
  send({ type: 'ready', url: server.url, credentials: server.credentials });
}
