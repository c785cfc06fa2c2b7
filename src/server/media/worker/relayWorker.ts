/**
 * A relay worker: a child process of the gateway that holds the WebRTC ends of the zones it is
 * given. It trusts its parent and nobody else: it has no socket of its own but its media ports,
 * and does only what the gateway's IPC messages say (see relayProtocol.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { PeerId, ZoneId } from '../../../shared/index.ts';
import type { FromWorker, RelayRequest, RelayStats, ToWorker } from '../relayProtocol.ts';
import type { RelayNetwork } from './peerNetwork.ts';
import { ZoneRelay } from './ZoneRelay.ts';

const network = JSON.parse(process.env.VIGIL_RELAY_NETWORK ?? '{}') as RelayNetwork;
const zones = new Map<ZoneId, ZoneRelay>();
const zoneOfPeer = new Map<PeerId, ZoneId>();
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

/** A reply after the gateway hung up (it is shutting down) goes nowhere, rather than throw EPIPE. */
const send = (message: FromWorker): void => {
  if (!process.connected) return;
  process.send?.(message, undefined, undefined, () => undefined);
};

function relayFor(zone: ZoneId): ZoneRelay {
  let relay = zones.get(zone);
  if (!relay) {
    relay = new ZoneRelay(zone, network, (peerId, state) => send({ event: 'peer-state', peerId, state }));
    zones.set(zone, relay);
  }
  return relay;
}

function relayOf(peerId: PeerId): ZoneRelay {
  const zone = zoneOfPeer.get(peerId);
  const relay = zone === undefined ? undefined : zones.get(zone);
  if (!relay) throw new Error(`unknown peer ${peerId}`);
  return relay;
}

async function handle(request: RelayRequest): Promise<unknown> {
  switch (request.op) {
    case 'publish':
      zoneOfPeer.set(request.peerId, request.zone);
      return { sdp: await relayFor(request.zone).publish(request.peerId, request.sdp) };
    case 'ingest':
      zoneOfPeer.set(request.peerId, request.zone);
      return relayFor(request.zone).ingest(request.peerId);
    case 'subscribe':
      zoneOfPeer.set(request.peerId, request.zone);
      return { sdp: await relayFor(request.zone).subscribe(request.peerId, request.offer) };
    case 'answer':
      await relayOf(request.peerId).answer(request.peerId, request.sdp);
      return {};
    case 'candidate':
      await relayOf(request.peerId).addCandidate(request.peerId, request.candidate);
      return {};
    case 'restart':
      return { sdp: await relayOf(request.peerId).restart(request.peerId) };
    case 'record': {
      const relay = relayFor(request.zone);
      relay.record(request.dir, (message) => process.stderr.write(`vigil relay worker: ${request.zone}: ${message}\n`));
      if (relay.empty) zones.delete(relay.zone);
      return {};
    }
    case 'close': {
      const zone = zoneOfPeer.get(request.peerId);
      zoneOfPeer.delete(request.peerId);
      const relay = zone === undefined ? undefined : zones.get(zone);
      relay?.close(request.peerId);
      if (relay?.empty) zones.delete(relay.zone);
      return {};
    }
    case 'stats': {
      const stats: RelayStats = {
        zones: [...zones.values()].map((relay) => relay.stats()),
        eventLoopLagMs: lag.percentile(99) / 1e6,
        cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
      };
      lag.reset();
      return stats;
    }
  }
}

/** Requests about one peer run in order (a candidate must not overtake the description it belongs to). */
const queues = new Map<string, Promise<unknown>>();
function inOrder(request: RelayRequest): Promise<unknown> {
  const key = 'peerId' in request ? request.peerId : '';
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => handle(request));
  queues.set(key, next);
  void next.catch(() => undefined).finally(() => {
    if (queues.get(key) === next) queues.delete(key);
  });
  return next;
}

process.on('message', (message: ToWorker) => {
  inOrder(message.request).then(
    (result) => send({ id: message.id, ok: true, result }),
    (error: unknown) => send({ id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});
// The gateway went away: so does its relay (no orphaned media ports).
process.on('disconnect', () => {
  for (const relay of zones.values()) relay.closeAll();
  process.exit(0);
});
send({ event: 'ready' });
