import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { newResumeToken, nextEvent, request, type TestClient } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { scrape } from '../support/metrics.ts';
import { startMosquitto, subscribe, type Broker, type ReceivedMessage } from '../support/mosquitto.ts';
import { waitFor } from '../support/waitFor.ts';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
const text = (m: ReceivedMessage | undefined) => m?.payload.toString();
const last = (messages: ReceivedMessage[], topic: string) => messages.filter((m) => m.topic === topic).at(-1);

describe('MQTT: scene events on a real mosquitto, in Home Assistant\'s and Frigate\'s conventions', () => {
  let broker: Broker;
  let gw: TestGateway;
  let camera: TestClient;
  let operator: TestClient;
  before(async () => {
    broker = await startMosquitto();
    gw = await startGateway({ mqtt: { url: broker.url, topicPrefix: 'vigil' } });
    camera = await gw.connect('camera');
    operator = await gw.connect('operator');
    await request(camera, 'camera:publish', { zone: 'CBD-MQTT-01', resumeToken: newResumeToken() });
  });
  after(async () => {
    camera?.close();
    operator?.close();
    await gw?.close();
    await broker?.stop();
  });

  it('says it is available (retained), publishes motion ON/OFF (retained), the event JSON, the snapshot and the discovery configs', async () => {
    const sub = await subscribe(broker.url, ['vigil/#', 'homeassistant/#']);
    try {
      await waitFor(() => text(last(sub.messages, 'vigil/available')) === 'online', 'vigil/available online');
      assert.equal(last(sub.messages, 'vigil/available')!.retain, true, 'a subscriber arriving later gets it');

      const sentAt = Date.now();
      await request(camera, 'camera:scene', { zone: 'CBD-MQTT-01', type: 'motion.started', score: 0.05, snapshot: JPEG.toString('base64') });
      await waitFor(() => text(last(sub.messages, 'vigil/CBD-MQTT-01/motion')) === 'ON', 'motion ON');
      const on = last(sub.messages, 'vigil/CBD-MQTT-01/motion')!;
      assert.ok(on.at - sentAt < 1_000, `motion reached MQTT in ${on.at - sentAt} ms`);
      await waitFor(() => sub.messages.some((m) => m.topic === 'vigil/events'), 'vigil/events');
      const created = JSON.parse(text(last(sub.messages, 'vigil/events'))!);
      assert.deepEqual([created.type, created.before, created.after.zone, created.after.kind, created.after.score], ['new', null, 'CBD-MQTT-01', 'motion', 0.05]);
      await waitFor(() => sub.messages.some((m) => m.topic === 'vigil/CBD-MQTT-01/snapshot'), 'the snapshot');
      assert.deepEqual(last(sub.messages, 'vigil/CBD-MQTT-01/snapshot')!.payload, JPEG);

      const discovery = last(sub.messages, 'homeassistant/binary_sensor/vigil_cbd_mqtt_01/motion/config');
      assert.ok(discovery, 'Home Assistant discovery for the camera\'s motion sensor');
      const config = JSON.parse(text(discovery)!);
      assert.deepEqual([config.state_topic, config.device_class, config.payload_on, config.availability_topic, config.unique_id],
        ['vigil/CBD-MQTT-01/motion', 'motion', 'ON', 'vigil/available', 'vigil_cbd_mqtt_01_motion']);
      assert.ok(last(sub.messages, 'homeassistant/binary_sensor/vigil_cbd_mqtt_01/tamper_covered/config'));

      await request(camera, 'camera:scene', { zone: 'CBD-MQTT-01', type: 'motion.ended', score: 0 });
      await waitFor(() => text(last(sub.messages, 'vigil/CBD-MQTT-01/motion')) === 'OFF', 'motion OFF');
      await waitFor(() => JSON.parse(text(last(sub.messages, 'vigil/events'))!).type === 'end', 'the end event');
      const ended = JSON.parse(text(last(sub.messages, 'vigil/events'))!);
      assert.equal(ended.before.endedAt, null);
      assert.ok(ended.after.endedAt);

      // Tamper: the kind's own sensor and the camera's summary one.
      await request(camera, 'camera:scene', { zone: 'CBD-MQTT-01', type: 'tamper.covered', score: 3 });
      await waitFor(() => text(last(sub.messages, 'vigil/CBD-MQTT-01/tamper')) === 'ON' && text(last(sub.messages, 'vigil/CBD-MQTT-01/tamper/covered')) === 'ON', 'tamper ON');
      await request(camera, 'camera:scene', { zone: 'CBD-MQTT-01', type: 'tamper.covered.cleared', score: 80 });
      await waitFor(() => text(last(sub.messages, 'vigil/CBD-MQTT-01/tamper')) === 'OFF', 'tamper OFF');
    } finally {
      await sub.close();
    }
    // Retained: a subscriber arriving now is told the current state at once.
    const late = await subscribe(broker.url, ['vigil/CBD-MQTT-01/motion']);
    await waitFor(() => late.messages.length > 0, 'the retained motion state');
    assert.deepEqual([text(late.messages[0]), late.messages[0]!.retain], ['OFF', true]);
    await late.close();
  });

  it('keeps signalling working while the broker is down, counts it, and sends the latest state once it is back', async () => {
    await broker.kill();
    await waitFor(async () => (await scrape(gw)).get('vigil_mqtt_connected') === 0, 'the gateway noticed the broker went', { timeoutMs: 10_000 });
    // Signalling goes on: reports are taken and pushed to the console without waiting for the broker.
    for (let i = 0; i < 3; i++) {
      const pushed = nextEvent(operator, 'scene:events');
      const started = Date.now();
      assert.deepEqual(await request(camera, 'camera:scene', { zone: 'CBD-MQTT-01', type: i % 2 === 0 ? 'motion.started' : 'motion.ended', score: 0.1 }), { ok: true });
      await pushed;
      assert.ok(Date.now() - started < 1_000, 'the console heard of it at once');
    }
    assert.ok(((await scrape(gw)).get('vigil_mqtt_queued') ?? 0) > 0, 'what the broker missed waits');

    await broker.start();
    const sub = await subscribe(broker.url, ['vigil/#']);
    try {
      await waitFor(() => text(last(sub.messages, 'vigil/available')) === 'online', 'online again', { timeoutMs: 10_000 });
      await waitFor(() => text(last(sub.messages, 'vigil/CBD-MQTT-01/motion')) === 'ON', 'the latest motion state (the third report started it again)', { timeoutMs: 10_000 });
      await waitFor(() => sub.messages.filter((m) => m.topic === 'vigil/events').length >= 3, 'the three events', { timeoutMs: 10_000 });
    } finally {
      await sub.close();
    }
    const samples = await scrape(gw);
    assert.equal(samples.get('vigil_mqtt_connected'), 1);
    assert.equal(samples.get('vigil_mqtt_queued'), 0);
    assert.ok((samples.get('vigil_mqtt_messages_total{outcome="published"}') ?? 0) > 0);
  });
});

describe('MQTT over TLS with credentials', () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  const gateways: TestGateway[] = [];
  before(async () => { broker = await startMosquitto({ tls: true, users: { vigil: 'broker-secret-1', homeassistant: 'ha-secret-2' } }); });
  after(async () => {
    for (const gw of gateways) await gw.close();
    await broker?.stop();
  });

  it('publishes to a TLS broker that checks its certificate against the CA it was given, signed in; a wrong password never connects and signalling does not care', async () => {
    const gw = await startGateway({ mqtt: { url: broker.url, username: 'vigil', password: 'broker-secret-1', caFile: broker.caFile! } });
    gateways.push(gw);
    const sub = await subscribe(broker.url, ['vigil/#'], { username: 'homeassistant', password: 'ha-secret-2', ca: readFileSync(broker.caFile!) });
    try {
      await waitFor(() => text(last(sub.messages, 'vigil/available')) === 'online', 'online over TLS', { timeoutMs: 10_000 });
      const camera = await gw.connect('camera');
      await request(camera, 'camera:publish', { zone: 'CBD-TLS-01', resumeToken: newResumeToken() });
      await request(camera, 'camera:scene', { zone: 'CBD-TLS-01', type: 'motion.started', score: 0.2 });
      await waitFor(() => text(last(sub.messages, 'vigil/CBD-TLS-01/motion')) === 'ON', 'motion over TLS');
      camera.close();
    } finally {
      await sub.close();
    }

    const wrong = await startGateway({ mqtt: { url: broker.url, username: 'vigil', password: 'not-the-password', caFile: broker.caFile! } });
    gateways.push(wrong);
    const camera = await wrong.connect('camera');
    await request(camera, 'camera:publish', { zone: 'CBD-TLS-02', resumeToken: newResumeToken() });
    assert.deepEqual(await request(camera, 'camera:scene', { zone: 'CBD-TLS-02', type: 'motion.started', score: 0.2 }), { ok: true });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal((await scrape(wrong)).get('vigil_mqtt_connected'), 0, 'refused by the broker');
    camera.close();
  });
});
