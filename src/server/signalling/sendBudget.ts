import { Limits } from '../../shared/index.ts';
import type { VigilSocket } from './types.ts';

interface EnginePacket { data?: unknown }
/** The parts of engine.io's socket and its WebSocket transport that show what is waiting to be sent. */
interface EngineSocket {
  on(event: 'packetCreate', listener: (packet: EnginePacket) => void): void;
  on(event: 'flush', listener: (packets: EnginePacket[]) => void): void;
  readonly writeBuffer: EnginePacket[];
  readonly transport: { socket?: { bufferedAmount?: number; terminate?(): void } };
  close(discard?: boolean): void;
}

const sizeOf = (packet: EnginePacket): number => {
  const { data } = packet;
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
};

/**
 * Bounds what the gateway holds for one connection: packets engine.io queued because the
 * transport is still busy, plus what `ws` handed to the network socket that the kernel did not
 * take yet. Every emit path ends in engine.io's packetCreate (replies, relays, directory pushes,
 * cluster deliveries, heartbeats), so one check there covers them all. Past the bound the
 * connection is cut at once, without the goodbye it would never read: a client that stops reading
 * (or only answers heartbeats) cannot make the gateway queue without end.
 */
export function installSendBudget(socket: VigilSocket, onOverflow: (pending: { bytes: number; packets: number }) => void): void {
  const engine = socket.conn as unknown as EngineSocket;
  let queuedBytes = 0;
  let overflowed = false;
  engine.on('flush', () => { queuedBytes = 0; });
  engine.on('packetCreate', (packet) => {
    if (overflowed) return;
    queuedBytes += sizeOf(packet);
    const bytes = queuedBytes + (engine.transport.socket?.bufferedAmount ?? 0);
    const packets = engine.writeBuffer.length + 1;
    if (bytes <= Limits.maxPendingSendBytes && packets <= Limits.maxPendingSendPackets) return;
    overflowed = true;
    onOverflow({ bytes, packets });
    // A WebSocket's close handshake would wait behind the very data that is stuck: drop it.
    if (engine.transport.socket?.terminate) engine.transport.socket.terminate();
    else engine.close(true);
  });
}
