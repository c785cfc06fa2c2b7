import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CAMERA_STATUSES, type CameraStatus } from '../../shared/index.ts';
import type { AuditDraft } from '../store/types.ts';
import type { RelayStats, RelayZoneStats } from '../media/relayProtocol.ts';
import type { ZonePresence } from '../zones/ZonePresence.ts';
import type { ZoneQuality } from './ZoneQuality.ts';

export interface MetricsSources {
  presence: ZonePresence;
  quality: ZoneQuality;
  /** Operator connections open on this node. */
  operatorsConnected(): number;
  /** The media relay's workers, when media may go through the relay. */
  relay?: { stats(): Promise<RelayStats[]> } | null;
  /** The IP cameras this node pulls: zone and status of each. */
  ipCameras?(): { zone: string; status: CameraStatus }[];
  /** The MQTT publisher, when a broker is configured. */
  mqtt?: (() => { connected: boolean; queued: number } | null) | undefined;
}

/** One IPC round trip per scrape serves every relay gauge. */
function sharedRelayStats(relay: MetricsSources['relay']): () => Promise<RelayStats[]> {
  let last: { at: number; stats: Promise<RelayStats[]> } | null = null;
  return () => {
    if (!relay) return Promise.resolve([]);
    if (!last || Date.now() - last.at > 500) last = { at: Date.now(), stats: relay.stats().catch(() => []) };
    return last.stats;
  };
}

/** Events whose handling is a relay to the other end of a pairing. */
const RELAYED = new Set(['signal:offer', 'signal:answer', 'signal:candidate', 'signal:restart']);

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways can live in one
 * process in tests). Gauges are read from their sources at scrape time, so nothing drifts.
 * Label values come from closed sets (event names, error codes, ICE paths) or from zones that are
 * live right now, so cardinality stays bounded.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #messages: Counter<'type'>;
  readonly #relayLatency: Histogram<'type'>;
  readonly #authFailures: Counter<'reason'>;
  readonly #denials: Counter<'kind' | 'code'>;
  readonly #rateLimited: Counter<'limit'>;
  readonly #mqtt: Counter<'outcome'>;
  readonly #sceneEvents: Counter<'kind'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'vigil_' });
    new Gauge({
      name: 'vigil_cameras_online', help: 'Cameras publishing through this node (sum over nodes for the cluster).', registers,
      collect() { this.set(sources.presence.localCounts().cameras); },
    });
    new Gauge({
      name: 'vigil_operators_connected', help: 'Operator console connections open on this node.', registers,
      collect() { this.set(sources.operatorsConnected()); },
    });
    new Gauge({
      name: 'vigil_viewing_sessions', help: 'Operator-zone views open through this node (sum over nodes for the cluster).', registers,
      collect() { this.set(sources.presence.localCounts().views); },
    });
    new Gauge({
      name: 'vigil_ip_cameras', help: 'IP cameras this node pulls, by status (live, connecting, auth_failed, unreachable, unsupported_codec, stalled, …).', labelNames: ['status'], registers,
      collect() {
        const statuses = sources.ipCameras?.() ?? [];
        for (const status of CAMERA_STATUSES) this.set({ status }, statuses.filter((c) => c.status === status).length);
      },
    });
    new Gauge({
      name: 'vigil_ip_camera_live', help: 'Per configured IP camera: 1 while its video reaches the relay, else 0.', labelNames: ['zone'], registers,
      collect() {
        this.reset();
        for (const camera of sources.ipCameras?.() ?? []) this.set({ zone: camera.zone }, camera.status === 'live' ? 1 : 0);
      },
    });
    this.#messages = new Counter({ name: 'vigil_signalling_messages_total', help: 'Signalling messages received, by event type (after the event guard).', labelNames: ['type'], registers });
    this.#relayLatency = new Histogram({
      name: 'vigil_relay_latency_seconds', help: 'Time from receiving an offer, answer, candidate or restart to relaying it (access checks included).',
      labelNames: ['type'], buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25], registers,
    });
    this.#authFailures = new Counter({ name: 'vigil_auth_failures_total', help: 'Failed logins and refused handshakes, by reason or error code.', labelNames: ['reason'], registers });
    this.#denials = new Counter({ name: 'vigil_denials_total', help: 'Audited denials, by audit kind and error code.', labelNames: ['kind', 'code'], registers });
    this.#mqtt = new Counter({ name: 'vigil_mqtt_messages_total', help: 'MQTT messages the broker took (published) or that were lost (dropped: the queue was full while the broker was away, or a publish failed).', labelNames: ['outcome'], registers });
    this.#sceneEvents = new Counter({ name: 'vigil_scene_events_total', help: 'Motion and tamper events opened on this node, by kind.', labelNames: ['kind'], registers });
    new Gauge({
      name: 'vigil_mqtt_connected', help: '1 while the MQTT broker is connected, 0 while not (absent without a broker).', registers,
      collect() { const state = sources.mqtt?.(); if (state) this.set(state.connected ? 1 : 0); },
    });
    new Gauge({
      name: 'vigil_mqtt_queued', help: 'MQTT messages waiting for the broker.', registers,
      collect() { const state = sources.mqtt?.(); if (state) this.set(state.queued); },
    });
    this.#rateLimited = new Counter({ name: 'vigil_rate_limit_trips_total', help: 'Requests refused by a rate limit: socket_events (per packet), login, camera_key.', labelNames: ['limit'], registers });

    const zoneGauge = (name: string, help: string, pick: (z: ReturnType<ZoneQuality['summaries']>[number]) => number | null) => new Gauge({
      name, help, labelNames: ['zone'], registers,
      collect() {
        this.reset();
        for (const summary of sources.quality.summaries()) {
          const value = pick(summary);
          if (value !== null) this.set({ zone: summary.zone }, value);
        }
      },
    });
    zoneGauge('vigil_zone_rtt_seconds', 'Mean round-trip time reported by the consoles watching the zone.', (z) => z.rttSeconds);
    zoneGauge('vigil_zone_packet_loss_ratio', 'Mean packet loss (0-1) reported by the consoles watching the zone.', (z) => z.lossRatio);
    zoneGauge('vigil_zone_bitrate_bits_per_second', 'Mean received video bitrate reported by the consoles watching the zone.', (z) => z.bitrateBps);
    zoneGauge('vigil_zone_frames_per_second', 'Mean decoded frame rate reported by the consoles watching the zone.', (z) => z.fps);
    zoneGauge('vigil_zone_quality_reporters', 'Consoles with a fresh quality report for the zone.', (z) => z.reporters);
    this.#relayGauges(sources, registers);
    new Gauge({
      name: 'vigil_zone_ice_path_viewers', help: 'Reporting consoles of a zone by ICE path (host, srflx, prflx, relay).', labelNames: ['zone', 'path'], registers,
      collect() {
        this.reset();
        for (const summary of sources.quality.summaries()) {
          for (const [path, count] of Object.entries(summary.icePaths)) this.set({ zone: summary.zone, path }, count);
        }
      },
    });
  }

  /** Relay figures, read from the workers at scrape time; per zone only for zones relayed now. */
  #relayGauges(sources: MetricsSources, registers: Registry[]): void {
    if (!sources.relay) return;
    const stats = sharedRelayStats(sources.relay);
    const perZone = (name: string, help: string, pick: (z: RelayZoneStats) => number) => new Gauge({
      name, help, labelNames: ['zone'], registers,
      async collect() {
        this.reset();
        for (const worker of await stats()) for (const zone of worker.zones) this.set({ zone: zone.zone }, pick(zone));
      },
    });
    perZone('vigil_relay_subscribers', 'Viewers the media relay serves, per relayed zone.', (z) => z.subscribers);
    perZone('vigil_relay_forwarded_packets', 'RTP packets the relay wrote towards viewers (since the zone\'s relay started).', (z) => z.forwardedPackets);
    perZone('vigil_relay_forwarded_bytes', 'RTP payload bytes the relay wrote towards viewers (since the zone\'s relay started).', (z) => z.forwardedBytes);
    perZone('vigil_relay_nacks', 'Retransmission requests (NACK) from the zone\'s viewers, answered from the relay\'s history.', (z) => z.nacks);
    perZone('vigil_relay_keyframe_requests', 'Keyframe requests (PLI) the relay sent the camera, after aggregating its viewers\' requests.', (z) => z.plis);
    perZone('vigil_relay_keyframe_waits', 'Viewers that connected and waited for a keyframe before their first packet.', (z) => z.keyframeWaits);
    perZone('vigil_relay_keyframe_replays', 'Viewers that started at once on the packets since a recent keyframe, instead of waiting for the next.', (z) => z.replays);
    perZone('vigil_relay_recording', 'The relay keeps the zone\'s evidence ring buffer (1): a recorded camera that publishes itself.', (z) => (z.recording ? 1 : 0));
    perZone('vigil_relay_viewers_fell_behind', 'Times a viewer of the zone fell a second behind and was dropped to the next keyframe.', (z) => z.fellBehind);
    const perWorker = (name: string, help: string, pick: (w: RelayStats) => number) => new Gauge({
      name, help, labelNames: ['worker'], registers,
      async collect() {
        this.reset();
        for (const [index, worker] of (await stats()).entries()) this.set({ worker: String(index) }, pick(worker));
      },
    });
    perWorker('vigil_relay_worker_cpu_seconds', 'CPU time used by each relay worker process since it started.', (w) => w.cpuMicros / 1e6);
    perWorker('vigil_relay_worker_event_loop_lag_seconds', 'p99 event-loop delay of each relay worker since the previous scrape.', (w) => w.eventLoopLagMs / 1000);
  }

  /** Called once per message that passed the event guard; returns a function to call once it was handled. */
  messageReceived(type: string): (() => void) | null {
    this.#messages.inc({ type });
    return RELAYED.has(type) ? this.#relayLatency.startTimer({ type }) : null;
  }

  mqttPublished(): void {
    this.#mqtt.inc({ outcome: 'published' });
  }

  mqttDropped(): void {
    this.#mqtt.inc({ outcome: 'dropped' });
  }

  sceneEventOpened(kind: string): void {
    this.#sceneEvents.inc({ kind });
  }

  socketEventRateLimited(): void {
    this.#rateLimited.inc({ limit: 'socket_events' });
  }

  /** Every denial passes here, written to the trail or only summed up there: denials, failed logins and limit trips. */
  denied(draft: AuditDraft): void {
    const code = String(draft.detail.code ?? draft.detail.reason ?? 'unknown');
    this.#denials.inc({ kind: draft.kind, code });
    if (draft.kind === 'login.failure' || draft.kind === 'connect.denied') this.#authFailures.inc({ reason: code });
    if (draft.kind === 'login.failure' && (code === 'rate_limited' || code === 'in_flight' || code === 'busy')) this.#rateLimited.inc({ limit: 'login' });
    if (draft.kind === 'connect.denied' && code === 'RATE_LIMITED') this.#rateLimited.inc({ limit: 'camera_key' });
  }
}
