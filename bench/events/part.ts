import type { SceneEvent } from '../../src/shared/index.ts';
import { newResumeToken, request, type TestClient } from '../../test/support/clients.ts';
import { startGateway } from '../../test/support/gateway.ts';
import { startMosquitto, subscribe } from '../../test/support/mosquitto.ts';
import type { BenchPart } from '../types.ts';

const CAMERAS = 100;
const OPERATORS = 4;
/** Each camera starts and ends this many events: its zone's whole burst budget. */
const EVENTS_PER_CAMERA = 12;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/**
 * Scene events end to end on one gateway: CAMERAS camera connections report motion starts and
 * ends as fast as their acknowledgements come back (every zone's burst budget), OPERATORS admin
 * consoles receive every change, and the gateway publishes each to a real mosquitto.
 */
export const eventsPart: BenchPart = {
  name: 'events',
  description: `scene events the gateway takes, stores and pushes: ${CAMERAS} cameras × ${EVENTS_PER_CAMERA} motion starts and ends, ${OPERATORS} consoles, MQTT to mosquitto`,
  async run() {
    const broker = await startMosquitto();
    const gw = await startGateway({ mqtt: { url: broker.url, queueLimit: 100_000 } });
    const clients: TestClient[] = [];
    try {
      const subscriber = await subscribe(broker.url, ['vigil/events']);
      const operators = await Promise.all(Array.from({ length: OPERATORS }, () => gw.connect('operator')));
      clients.push(...operators);
      const sentAt = new Map<string, number[]>();
      const pushLatencies: number[] = [];
      const seen = new Map<string, number>();
      operators[0]!.on('scene:events', ({ events, change }) => {
        if (change !== 'new') return;
        for (const e of events as SceneEvent[]) {
          const k = seen.get(e.zone) ?? 0;
          seen.set(e.zone, k + 1);
          const sent = sentAt.get(e.zone)?.[k];
          if (sent !== undefined) pushLatencies.push(performance.now() - sent);
        }
      });
      const cameras = await Promise.all(Array.from({ length: CAMERAS }, () => gw.connect('camera')));
      clients.push(...cameras);
      await Promise.all(cameras.map((c, i) => request(c, 'camera:publish', { zone: `BENCH-EVENTS-${i}`, resumeToken: newResumeToken() }, 10_000)));
      const ackLatencies: number[] = [];
      let refused = 0;
      const started = performance.now();
      await Promise.all(cameras.map(async (camera, i) => {
        const zone = `BENCH-EVENTS-${i}`;
        const times: number[] = [];
        sentAt.set(zone, times);
        for (let k = 0; k < EVENTS_PER_CAMERA; k++) {
          for (const type of ['motion.started', 'motion.ended'] as const) {
            const at = performance.now();
            if (type === 'motion.started') times.push(at);
            const reply = await request(camera, 'camera:scene', { zone, type, score: 0.1 }, 30_000);
            if (!reply.ok) refused += 1;
            ackLatencies.push(performance.now() - at);
          }
        }
      }));
      const seconds = (performance.now() - started) / 1000;
      const reports = CAMERAS * EVENTS_PER_CAMERA * 2;
      const expectedMqtt = reports;
      const mqttDeadline = Date.now() + 30_000;
      while (subscriber.messages.length < expectedMqtt && Date.now() < mqttDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const mqttSeconds = (performance.now() - started) / 1000;
      await subscriber.close();
      ackLatencies.sort((a, b) => a - b);
      pushLatencies.sort((a, b) => a - b);
      const ms = (v: number) => `${v.toFixed(1)} ms`;
      const perSecond = Math.round(reports / seconds);
      return {
        table: [
          { measure: `reports taken (${CAMERAS} cameras × ${EVENTS_PER_CAMERA} starts + ends), refused`, value: `${reports - refused}, ${refused}` },
          { measure: 'reports per second (stored, pushed to consoles, queued for MQTT)', value: perSecond },
          { measure: 'report → acknowledgement, p50 / p95', value: `${ms(percentile(ackLatencies, 0.5))} / ${ms(percentile(ackLatencies, 0.95))}` },
          { measure: 'report → console push (new), p50 / p95', value: `${ms(percentile(pushLatencies, 0.5))} / ${ms(percentile(pushLatencies, 0.95))}` },
          { measure: 'vigil/events messages at the subscriber, all in', value: `${subscriber.messages.length} of ${expectedMqtt} in ${mqttSeconds.toFixed(1)} s` },
        ],
        figures: { reports, refused, seconds, perSecond, ackP50: percentile(ackLatencies, 0.5), pushP50: percentile(pushLatencies, 0.5), pushP95: percentile(pushLatencies, 0.95), mqttMessages: subscriber.messages.length, mqttSeconds },
        budgets: [{ name: 'events: reports per second on one gateway', budget: 200, figure: perSecond, unit: '/s', met: perSecond >= 200 }],
        notes: ['200/s is what 400 cameras would send at their zones\' sustained budget (one start and one end per 2 s each); on 2 cores with SQLite, in-process clients included'],
      };
    } finally {
      clients.forEach((c) => c.close());
      await gw.close();
      await broker.stop();
    }
  },
};
