// K camera/viewer pairs, each in its own zone, negotiating through the gateway at once.
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/shared/index.ts';
import type { BenchCredentials } from './serverControl.ts';
import { benchCandidate, benchSdp, CANDIDATES_EACH_WAY, candidateSentAt, MESSAGES_PER_PAIR, nowMs, sdpSentAt } from './payloads.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
export type GeneratorCommand = { type: 'connect'; url: string; /** Where viewers connect; `url` when absent. */ viewerUrl?: string; credentials: BenchCredentials; pairs: number; offset: number } | { type: 'negotiate' } | { type: 'close' };
export type GeneratorReport =
  | { type: 'connected'; failures: Record<string, number> }
  | { type: 'negotiated'; latencies: number[]; failures: Record<string, number>; received: number };

const BATCH = 100;
const TIMEOUT_MS = 60_000;
let failures: Record<string, number> = {};
const fail = (reason: string) => (failures[reason] = (failures[reason] ?? 0) + 1);
/** Failures since the last report: each report carries its own. */
function takeFailures(): Record<string, number> {
  const taken = failures;
  failures = {};
  return taken;
}
const send = (report: GeneratorReport) => process.send!(report);

interface Pair { camera: Client; viewer: Client; peerId: string | null; received: number }
const pairs: Pair[] = [];
const latencies: number[] = [];
let onAllReceived: (() => void) | null = null;
let received = 0;
let expected = 0;

function open(url: string, role: 'camera' | 'operator', credentials: BenchCredentials): Promise<Client> {
  const socket: Client = io(url, {
    auth: role === 'camera' ? { role, protocol: 1, apiKey: credentials.apiKey } : { role, protocol: 1 },
    extraHeaders: role === 'operator' ? { cookie: credentials.cookie } : {},
    transports: ['websocket'], rejectUnauthorized: false, reconnection: false, forceNew: true,
  });
  return new Promise((resolve) => {
    socket.once('session:ready', () => resolve(socket));
    socket.once('connect_error', (error) => { fail(`connect: ${error.message}`); resolve(socket); });
  });
}

function record(pair: Pair, sentAt: number): void {
  latencies.push(nowMs() - sentAt);
  pair.received += 1;
  received += 1;
  if (received === expected) onAllReceived?.();
}

async function connectPair(url: string, viewerUrl: string, credentials: BenchCredentials, index: number): Promise<Pair> {
  const zone = `BENCH-${index}`;
  const [camera, viewer] = await Promise.all([open(url, 'camera', credentials), open(viewerUrl, 'operator', credentials)]);
  const pair: Pair = { camera, viewer, peerId: null, received: 0 };
  for (const socket of [camera, viewer]) socket.on('vigil:error', ({ error }) => fail(`refused: ${error.code}`));
  const joined = new Promise<void>((resolve) => {
    const timer = setTimeout(() => { fail('viewer:joined missing after 60 s'); resolve(); }, TIMEOUT_MS);
    camera.once('viewer:joined', ({ peerId }) => { clearTimeout(timer); pair.peerId = peerId; resolve(); });
  });
  for (const socket of [camera, viewer]) socket.on('disconnect', (reason) => fail(`disconnected: ${reason}`));
  const published = await camera.timeout(TIMEOUT_MS).emitWithAck('camera:publish', { zone, resumeToken: randomBytes(32).toString('base64url') }).catch(() => null);
  if (!published?.ok) fail('publish refused');
  const watched = await viewer.timeout(TIMEOUT_MS).emitWithAck('zone:watch', { zone }).catch(() => null);
  if (!watched?.ok) fail('watch refused');
  await joined;

  // The viewer answers the offer, then trickles its candidates; the camera trickles after the answer.
  viewer.on('signal:offer', ({ peerId, sdp }) => {
    record(pair, sdpSentAt(sdp));
    viewer.emit('signal:answer', { peerId, sdp: benchSdp(nowMs()) });
    for (let i = 0; i < CANDIDATES_EACH_WAY; i++) viewer.emit('signal:candidate', { peerId, candidate: benchCandidate(i, nowMs()) });
    viewer.emit('signal:candidate', { peerId, candidate: { candidate: '', usernameFragment: `ts-${nowMs()}` } });
  });
  camera.on('signal:answer', ({ peerId, sdp }) => {
    record(pair, sdpSentAt(sdp));
    for (let i = 0; i < CANDIDATES_EACH_WAY; i++) camera.emit('signal:candidate', { peerId, candidate: benchCandidate(i, nowMs()) });
    camera.emit('signal:candidate', { peerId, candidate: { candidate: '', usernameFragment: `ts-${nowMs()}` } });
  });
  for (const socket of [camera, viewer]) socket.on('signal:candidate', ({ candidate }) => record(pair, candidateSentAt(candidate?.usernameFragment)));
  return pair;
}

process.on('message', async (command: GeneratorCommand) => {
  if (command.type === 'connect') {
    for (let start = 0; start < command.pairs; start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, command.pairs - start) }, (_, i) => connectPair(command.url, command.viewerUrl ?? command.url, command.credentials, command.offset + start + i));
      pairs.push(...(await Promise.all(batch)));
      if (pairs.length % 1_000 === 0) process.stderr.write(`  generator ${command.offset}: ${pairs.length}/${command.pairs} pairs connected\n`);
    }
    send({ type: 'connected', failures: takeFailures() });
  } else if (command.type === 'negotiate') {
    // A round: every pair sends its offer at the same instant. The part runs one to warm up, then one to measure.
    latencies.length = 0;
    received = 0;
    // Pairs that failed to set up are already counted as failures; wait only for the others.
    expected = pairs.filter((pair) => pair.peerId !== null).length * MESSAGES_PER_PAIR;
    const done = new Promise<void>((resolve) => {
      onAllReceived = resolve;
      setTimeout(resolve, TIMEOUT_MS);
    });
    for (const pair of pairs) if (pair.peerId) pair.camera.emit('signal:offer', { peerId: pair.peerId, sdp: benchSdp(nowMs()) });
    await done;
    onAllReceived = null;
    const missing = expected - received;
    if (missing > 0) failures['relayed message missing after 60 s'] = missing;
    send({ type: 'negotiated', latencies, failures: takeFailures(), received });
  } else {
    for (const pair of pairs) { pair.camera.close(); pair.viewer.close(); }
    process.exit(0);
  }
});
