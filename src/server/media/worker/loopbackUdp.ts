import { createSocket, type Socket } from 'node:dgram';

/** A UDP socket bound to 127.0.0.1 (`port` 0: any free one); later errors on it are ignored, like stray datagrams. */
export const bindLoopbackUdp = (port = 0): Promise<Socket> => new Promise((resolve, reject) => {
  const socket = createSocket('udp4');
  socket.once('error', reject);
  socket.bind(port, '127.0.0.1', () => {
    socket.off('error', reject);
    socket.on('error', () => undefined);
    resolve(socket);
  });
});
