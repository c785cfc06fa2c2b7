// The transport floor: bare Socket.IO, the same options as the gateway, relaying the same
// messages between the same load generators, and doing nothing else (no credentials, schemas,
// access checks, audit or metrics). What the gateway costs above this is what Vigil itself does;
// what this costs is Socket.IO, TLS and Node on this machine. BENCH_FLOOR_PLAIN=1 serves plain
// HTTP instead, as behind a proxy that terminates TLS: the share of TLS in each figure.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Server, type Socket } from 'socket.io';
import { createSelfSignedCertificate } from '../../src/server/tls/ensureCertificate.ts';
import { Limits } from '../../src/shared/index.ts';
import { serveCommands } from './serverControl.ts';

const plain = process.env.BENCH_FLOOR_PLAIN === '1';
const http = plain ? createHttpServer() : createHttpsServer({ ...(await createSelfSignedCertificate()), minVersion: 'TLSv1.2' });
const io = new Server(http, { serveClient: false, perMessageDeflate: false, httpCompression: false, maxHttpBufferSize: Limits.maxPacketBytes });
const cameras = new Map<string, Socket>();
const pairings = new Map<string, { camera: Socket; viewer: Socket; zone: string }>();
let nextPeer = 0;

type Ack = (reply: object) => void;
io.on('connection', (socket) => {
  socket.emit('session:ready', {});
  socket.on('camera:publish', ({ zone }: { zone: string }, ack: Ack) => {
    cameras.set(zone, socket);
    ack({ ok: true, zone, replacedStaleSession: false });
  });
  socket.on('zone:watch', ({ zone }: { zone: string }, ack: Ack) => {
    const camera = cameras.get(zone);
    ack({ ok: true, zone, state: camera ? 'live' : 'waiting' });
    if (!camera) return;
    const peerId = `p${nextPeer++}`;
    pairings.set(peerId, { camera, viewer: socket, zone });
    camera.emit('viewer:joined', { zone, peerId });
  });
  for (const event of ['signal:offer', 'signal:answer', 'signal:candidate']) {
    socket.on(event, (msg: { peerId: string }) => {
      const pairing = pairings.get(msg.peerId);
      if (!pairing) return;
      (pairing.camera === socket ? pairing.viewer : pairing.camera).emit(event, { ...msg, zone: pairing.zone });
    });
  }
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  serveCommands({
    url: `${plain ? 'http' : 'https'}://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    credentials: { apiKey: 'unused', cookie: 'unused' },
    sockets: () => io.engine.clientsCount,
    close: async () => { io.close(); },
  });
});
