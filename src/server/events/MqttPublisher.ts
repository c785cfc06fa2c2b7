import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import { SCENE_KIND_LABELS, TAMPER_KINDS, type SceneChange, type SceneEvent, type ZoneId } from '../../shared/index.ts';
import type { Logger } from '../observability/logger.ts';

export interface MqttSettings {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  caFile?: string | undefined;
  topicPrefix: string;
  discoveryPrefix: string;
  discovery: boolean;
  queueLimit: number;
}

export interface MqttCounters {
  published(): void;
  dropped(): void;
}

interface Message {
  topic: string;
  payload: string | Buffer;
  retain: boolean;
}

const ON = 'ON';
const OFF = 'OFF';

/** A zone as one topic level and one Home Assistant object id: `CBD-TRAFFIC-01` → `cbd_traffic_01`. */
const objectId = (zone: ZoneId): string => zone.toLowerCase().replace(/-/g, '_');

/**
 * Publishes scene events to an MQTT broker, in the shape Home Assistant and Frigate users already
 * automate against:
 *   <prefix>/available               online | offline (retained; offline is the broker's will)
 *   <prefix>/<zone>/motion           ON | OFF (retained)
 *   <prefix>/<zone>/tamper           ON | OFF (retained): any tamper of the camera
 *   <prefix>/<zone>/tamper/<kind>    ON | OFF (retained): covered, moved, defocused, frozen
 *   <prefix>/<zone>/snapshot         the JPEG of the latest event that had one (retained)
 *   <prefix>/events                  {"type":"new"|"update"|"end","before":…,"after":…}
 * and, with discovery on, one retained config per camera and sensor under Home Assistant's prefix.
 *
 * The broker is never in signalling's way: a publish is queued and sent when the broker takes
 * it; while it is unreachable at most `queueLimit` messages wait (the oldest go first, counted),
 * and a retained state is queued only as its latest value.
 */
export class MqttPublisher {
  readonly #client: MqttClient;
  readonly #queue: Message[] = [];
  readonly #announced = new Set<ZoneId>();
  /** The tamper kinds each zone has open: `<zone>/tamper` is ON while any is. */
  readonly #tampered = new Map<ZoneId, Set<string>>();
  #closed = false;

  constructor(private readonly settings: MqttSettings, private readonly logger: Logger, private readonly counters: MqttCounters, private readonly cameras: () => Map<ZoneId, string | null> = () => new Map()) {
    const available = `${settings.topicPrefix}/available`;
    this.#client = mqtt.connect(settings.url, {
      clientId: `vigil-${hostname()}-${process.pid}`.slice(0, 64),
      ...(settings.username ? { username: settings.username } : {}),
      ...(settings.password ? { password: settings.password } : {}),
      ...(settings.caFile ? { ca: readFileSync(settings.caFile) } : {}),
      will: { topic: available, payload: Buffer.from('offline'), retain: true, qos: 1 },
      reconnectPeriod: 2_000,
      connectTimeout: 5_000,
      // Our own queue is the bounded one; mqtt.js must not keep a second, unbounded one.
      queueQoSZero: false,
    });
    this.#client.on('connect', () => {
      this.logger.info('MQTT broker connected');
      this.#send({ topic: available, payload: 'online', retain: true });
      if (this.settings.discovery) {
        this.#announced.clear();
        for (const [zone, name] of this.cameras()) this.#announce(zone, name);
      }
      this.#flush();
    });
    this.#client.on('offline', () => this.logger.warn('MQTT broker unreachable: events are queued'));
    // The URL (which may hold a password) is never logged, only what went wrong.
    this.#client.on('error', (error) => this.logger.warn({ code: (error as NodeJS.ErrnoException).code, message: error.message }, 'MQTT error'));
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** One scene event's change, as its topics say it. */
  publish(event: SceneEvent, change: SceneChange, before: SceneEvent | null, snapshot: Buffer | null): void {
    const base = `${this.settings.topicPrefix}/${event.zone}`;
    if (this.settings.discovery && !this.#announced.has(event.zone)) this.#announce(event.zone, event.camera);
    const ended = event.endedAt !== null;
    if (event.kind === 'motion') {
      this.#enqueue({ topic: `${base}/motion`, payload: ended ? OFF : ON, retain: true });
    } else {
      const kind = event.kind.slice('tamper.'.length);
      const open = this.#tampered.get(event.zone) ?? new Set<string>();
      if (ended) open.delete(kind); else open.add(kind);
      if (open.size > 0) this.#tampered.set(event.zone, open); else this.#tampered.delete(event.zone);
      this.#enqueue({ topic: `${base}/tamper/${kind}`, payload: ended ? OFF : ON, retain: true });
      this.#enqueue({ topic: `${base}/tamper`, payload: open.size > 0 ? ON : OFF, retain: true });
    }
    if (snapshot) this.#enqueue({ topic: `${base}/snapshot`, payload: snapshot, retain: true });
    this.#enqueue({ topic: `${this.settings.topicPrefix}/events`, payload: JSON.stringify({ type: change, before, after: event }), retain: false });
  }

  /** Says offline (a clean stop: the will is for a crash), then disconnects. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.connected) {
      await new Promise<void>((resolve) => this.#client.publish(`${this.settings.topicPrefix}/available`, 'offline', { qos: 1, retain: true }, () => resolve()));
    }
    await this.#client.endAsync(true).catch(() => undefined);
  }

  /** Home Assistant discovery: a device per camera with a motion and a tamper sensor (and one per tamper kind). */
  #announce(zone: ZoneId, name: string | null): void {
    this.#announced.add(zone);
    const id = `vigil_${objectId(zone)}`;
    const base = `${this.settings.topicPrefix}/${zone}`;
    const device = { identifiers: [id], name: name ?? zone, manufacturer: 'Vigil', model: 'Camera node' };
    const sensor = (key: string, label: string, stateTopic: string, deviceClass: string) => ({
      topic: `${this.settings.discoveryPrefix}/binary_sensor/${id}/${key}/config`,
      payload: JSON.stringify({
        name: label, unique_id: `${id}_${key}`, object_id: `${id}_${key}`, state_topic: stateTopic, device_class: deviceClass,
        payload_on: ON, payload_off: OFF, availability_topic: `${this.settings.topicPrefix}/available`, device,
      }),
      retain: true,
    });
    this.#enqueue(sensor('motion', SCENE_KIND_LABELS.motion, `${base}/motion`, 'motion'));
    this.#enqueue(sensor('tamper', 'Tamper', `${base}/tamper`, 'tamper'));
    for (const kind of TAMPER_KINDS) this.#enqueue(sensor(`tamper_${kind}`, SCENE_KIND_LABELS[`tamper.${kind}`], `${base}/tamper/${kind}`, 'tamper'));
    this.#enqueue({ topic: `${this.settings.discoveryPrefix}/camera/${id}/snapshot/config`, payload: JSON.stringify({ name: 'Snapshot', unique_id: `${id}_snapshot`, topic: `${base}/snapshot`, availability_topic: `${this.settings.topicPrefix}/available`, device }), retain: true });
  }

  #enqueue(message: Message): void {
    if (this.#closed) return;
    if (this.#client.connected && this.#queue.length === 0) {
      this.#send(message);
      return;
    }
    // A retained state waits as its latest value only: the broker would keep just that one.
    if (message.retain) {
      const stale = this.#queue.findIndex((m) => m.retain && m.topic === message.topic);
      if (stale >= 0) this.#queue.splice(stale, 1);
    }
    this.#queue.push(message);
    while (this.#queue.length > this.settings.queueLimit) {
      this.#queue.shift();
      this.counters.dropped();
    }
  }

  #flush(): void {
    while (this.#client.connected && this.#queue.length > 0) this.#send(this.#queue.shift()!);
  }

  #send({ topic, payload, retain }: Message): void {
    const options: IClientPublishOptions = { qos: 1, retain };
    this.#client.publish(topic, payload, options, (error) => {
      if (error) {
        this.counters.dropped();
        this.logger.debug({ topic, message: error.message }, 'MQTT publish failed');
      } else this.counters.published();
    });
  }
}
