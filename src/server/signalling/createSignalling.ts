import type { Server as HttpsServer } from 'node:https';
import { Server } from 'socket.io';
import {
  handshakeAuthSchema,
  Limits,
  PROTOCOL_VERSION,
  protocolError,
  Role,
  Timing,
  type Ack,
  type ClientEventName,
  type IceServer,
} from '../../shared/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Participant } from '../zones/Participant.ts';
import type { ZoneRegistry } from '../zones/ZoneRegistry.ts';
import { DirectoryPublisher, OPERATORS_ROOM } from './DirectoryPublisher.ts';
import { installEventGuard } from './eventGuard.ts';
import { handlers } from './handlers/index.ts';
import { isOriginAllowed } from './originPolicy.ts';
import type { HandlerCall, HandlerContext, VigilServer, VigilSocket } from './types.ts';

export interface SignallingOptions {
  httpServer: HttpsServer;
  registry: ZoneRegistry;
  logger: Logger;
  allowedOrigins: readonly string[];
  iceServers: readonly IceServer[];
}

export interface Signalling {
  readonly io: VigilServer;
  /** Drops every connection at the transport level, so clients reconnect (to us or a peer node). */
  close(): Promise<void>;
}

function participantFor(socket: VigilSocket): Participant {
  return {
    id: socket.id,
    address: socket.handshake.address,
    send: (event, ...args) => socket.emit(event, ...args),
    evict: () => socket.disconnect(true),
  };
}

export function createSignalling(options: SignallingOptions): Signalling {
  const { registry, logger } = options;
  const io: VigilServer = new Server(options.httpServer, {
    serveClient: false,
    maxHttpBufferSize: Limits.maxPacketBytes,
    // Compression is off: signalling frames are small, and inflation is a denial-of-service vector.
    perMessageDeflate: false,
    httpCompression: false,
    pingInterval: Timing.pingIntervalMs,
    pingTimeout: Timing.pingTimeoutMs,
    connectTimeout: 10_000,
    allowRequest: (req, callback) => {
      if (isOriginAllowed(req, options.allowedOrigins)) callback(null, true);
      else {
        logger.warn({ origin: req.headers.origin, address: req.socket.remoteAddress }, 'foreign origin refused');
        callback('ORIGIN_FORBIDDEN', false);
      }
    },
  });

  io.use((socket, next) => {
    const auth = handshakeAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success) {
      const error = Object.assign(new Error('HANDSHAKE_INVALID'), {
        data: protocolError('HANDSHAKE_INVALID', 'Connect with auth { role: "camera" | "operator" }.'),
      });
      next(error);
      return;
    }
    socket.data.role = auth.data.role;
    next();
  });

  const directory = new DirectoryPublisher(io, registry);
  const context: HandlerContext = { registry, logger };

  io.on('connection', (socket) => {
    const participant = participantFor(socket);
    const socketLogger = logger.child({ socket: socket.id, role: socket.data.role, address: socket.handshake.address });
    socketLogger.info('connected');
    installEventGuard(socket, socketLogger);

    for (const event of Object.keys(handlers) as ClientEventName[]) {
      socket.on(event, ((msg: HandlerCall<typeof event>['msg'], ack?: (reply: Ack<object>) => void) => {
        let reply: Ack<object>;
        try {
          const handler = handlers[event] as (ctx: HandlerContext, call: HandlerCall<typeof event>) => Ack<object>;
          reply = handler(context, { socket, participant, logger: socketLogger, msg });
        } catch (error) {
          socketLogger.error({ err: error, event }, 'handler failed');
          reply = { ok: false, error: protocolError('INTERNAL') };
        }
        if (ack) ack(reply);
        else if (!reply.ok) socket.emit('vigil:error', { event, error: reply.error });
      }) as never);
    }

    socket.on('disconnect', (reason) => {
      registry.leave(participant);
      socketLogger.info({ reason }, 'disconnected');
    });

    socket.emit('session:ready', {
      protocol: PROTOCOL_VERSION,
      role: socket.data.role,
      iceServers: [...options.iceServers],
      serverTime: Date.now(),
    });
    if (socket.data.role === Role.OPERATOR) {
      void socket.join(OPERATORS_ROOM);
      directory.sendTo(socket);
    }
  });

  return {
    io,
    close: async () => {
      directory.close();
      // Not io.close(): it would close the HTTP server too, which the gateway owns.
      io.engine.close();
    },
  };
}
