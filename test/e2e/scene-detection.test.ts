import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { SceneEvent } from '../../src/shared/index.ts';
import { addZone, launchBrowser, openConsole, resultsPath, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startMosquitto, subscribe, type Broker } from '../support/mosquitto.ts';

const ZONE = 'PLAZA-SCENE-01';
let broker: Broker;
let gw: TestGateway;
let browser: Browser;
before(async () => {
  broker = await startMosquitto();
  gw = await startGateway({ mqtt: { url: broker.url } });
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await gw?.close(); await broker?.stop(); });

/** The wall clock in the page, ms: both pages and this process share the machine's clock. */
const nowIn = (page: Page) => page.evaluate(() => performance.timeOrigin + performance.now());

/** Records in the console page when its tile first shows `kind` in its badge. */
async function watchBadge(page: Page, kind: string): Promise<() => Promise<number>> {
  await page.evaluate(([selector, wanted]) => {
    const w = window as unknown as { badgeSeen?: Record<string, number> };
    w.badgeSeen ??= {};
    const seen = w.badgeSeen;
    const badge = document.querySelector(selector!)!;
    const check = () => {
      if (!seen[wanted!] && (badge.getAttribute('data-scene') ?? '').split(' ').includes(wanted!)) seen[wanted!] = performance.timeOrigin + performance.now();
    };
    new MutationObserver(check).observe(badge, { attributes: true });
    check();
  }, [`${tile(ZONE)} .tile-scene`, kind]);
  return async () => {
    await page.waitForFunction((wanted) => Boolean((window as unknown as { badgeSeen?: Record<string, number> }).badgeSeen?.[wanted]), kind, { timeout: 15_000 });
    return page.evaluate((wanted) => (window as unknown as { badgeSeen: Record<string, number> }).badgeSeen[wanted]!, kind);
  };
}

async function eventsOf(kind: string): Promise<SceneEvent[]> {
  const reply = await gw.api(`/api/events?zone=${ZONE}&limit=100`, { cookie: gw.admin.cookie });
  return (reply.json.events as SceneEvent[]).filter((e) => e.kind === kind);
}

it('the camera page detects motion and tampering in its own frames: the console and MQTT hear of each within a second of the detector', async () => {
  const mqtt = await subscribe(broker.url, [`vigil/${ZONE}/#`]);
  try {
    const camera = await startCamera(browser, gw, ZONE, { source: 'test-scene' });
    const operator = await openConsole(browser, gw, [ZONE]);
    await waitForVideo(operator.page, ZONE);
    await camera.page.waitForFunction(() => /^on · \d+\.\d\d ms per frame$/.test(document.querySelector('#camera-detection')?.textContent ?? ''), undefined, { timeout: 15_000 });
    const cost = Number((await camera.page.textContent('#camera-detection'))!.match(/([\d.]+) ms/)![1]);
    console.log(`# detector in the camera page's worker: ${cost} ms median per 720p frame (copyTo, downscale, detector)`);
    assert.ok(cost < 5, `the detector costs ${cost} ms per frame`);
    assert.equal(await camera.page.textContent('#camera-scene'), 'quiet', 'a still street with sensor noise is not motion');

    // Someone walks past: motion at the console (badge and timeline) and on MQTT within a second of the click.
    const motionSeen = await watchBadge(operator.page, 'motion');
    const walkedAt = await nowIn(camera.page);
    await camera.page.click('[data-scene-action="walk"]');
    const badgeAt = await motionSeen();
    console.log(`# motion: click → console badge ${Math.round(badgeAt - walkedAt)} ms`);
    assert.ok(badgeAt - walkedAt < 1_000, `motion reached the console ${Math.round(badgeAt - walkedAt)} ms after the person appeared`);
    await operator.page.waitForSelector('#timeline-list [data-event-kind="motion"] [data-scene-action="acknowledge"]');
    const onAt = await waitForMessage(mqtt.messages, `vigil/${ZONE}/motion`, 'ON');
    console.log(`# motion: click → MQTT ${Math.round(onAt - walkedAt)} ms`);
    assert.ok(onAt - walkedAt < 1_000, `motion reached MQTT ${Math.round(onAt - walkedAt)} ms after`);
    await operator.page.screenshot({ path: resultsPath('scene-motion-console.png') });
    // It ends a couple of seconds after the person left.
    await waitForMessage(mqtt.messages, `vigil/${ZONE}/motion`, 'OFF', 10_000);
    const [motion] = await eventsOf('motion');
    assert.ok(motion?.endedAt && motion.hasSnapshot, 'stored with its end and a snapshot');
    const snapshot = await gw.api(`/api/events/${motion.id}/snapshot`, { cookie: gw.admin.cookie });
    assert.deepEqual([snapshot.status, snapshot.headers['content-type']], [200, 'image/jpeg']);

    // An operator acknowledges it from the timeline, and writes what it was.
    await operator.page.click('#timeline-list [data-event-kind="motion"] [data-scene-action="acknowledge"]');
    await operator.page.waitForFunction(() => /✓ admin/.test(document.querySelector('#timeline-list [data-event-kind="motion"] .timeline-acked')?.textContent ?? ''));
    await operator.page.click('#timeline-list [data-event-kind="motion"] [data-scene-action="annotate"]');
    await operator.page.fill('dialog[data-dialog="event-note"] textarea', 'Cyclist crossing; nothing to do.');
    await operator.page.click('dialog[data-dialog="event-note"] [data-action="confirm"]');
    await operator.page.waitForFunction(() => /Cyclist crossing/.test(document.querySelector('#timeline-list [data-event-kind="motion"]')?.textContent ?? ''));
    assert.equal((await eventsOf('motion'))[0]?.note, 'Cyclist crossing; nothing to do.');

    // Events first: with a quiet zone first on the wall, the next event brings this tile to the front.
    await addZone(operator.page, 'PLAZA-QUIET-02');
    await operator.page.evaluate(() => {
      const wall = document.querySelector('#video-wall')!;
      const quiet = wall.querySelector('.tile[data-zone="PLAZA-QUIET-02"]')!;
      wall.prepend(quiet);
    });
    await operator.page.click('#events-first');
    assert.equal(await operator.page.getAttribute('#events-first', 'aria-pressed'), 'true');

    // Each kind of tampering, one after the other: raised while it lasts, cleared when it ends.
    for (const [action, kind, holdMs] of [['cover', 'covered', 2_000], ['blur', 'defocused', 3_000], ['turn', 'moved', 3_000], ['freeze', 'frozen', 10_000]] as const) {
      const started = Date.now();
      await camera.page.click(`[data-scene-action="${action}"]`);
      await waitForMessage(mqtt.messages, `vigil/${ZONE}/tamper/${kind}`, 'ON', holdMs + 6_000, started);
      await operator.page.waitForSelector(`#timeline-list [data-event-kind="tamper.${kind}"]`);
      console.log(`# tamper.${kind}: raised ${Date.now() - started} ms after "${action}" (held ${holdMs} ms by design)`);
      if (kind === 'covered') {
        await operator.page.waitForSelector(`${tile(ZONE)} .tile-scene.tile-scene-tamper`);
        const order = await operator.page.$$eval('#video-wall .tile', (tiles) => tiles.map((t) => t.getAttribute('data-zone')));
        assert.equal(order[0], ZONE, `the tile with the event first: ${order.join(', ')}`);
        await operator.page.screenshot({ path: resultsPath('scene-tamper-console.png') });
        await camera.page.screenshot({ path: resultsPath('scene-camera-page.png') });
      }
      await camera.page.click(`[data-scene-action="${action}"]`);
      await waitForMessage(mqtt.messages, `vigil/${ZONE}/tamper/${kind}`, 'OFF', 10_000, started);
      assert.ok((await eventsOf(`tamper.${kind}`)).length >= 1, `tamper.${kind} stored`);
    }
  } finally {
    await mqtt.close();
  }
});

async function waitForMessage(messages: { topic: string; payload: Buffer; at: number }[], topic: string, payload: string, timeoutMs = 5_000, after = 0): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = messages.find((m) => m.topic === topic && m.payload.toString() === payload && m.at >= after);
    if (found) return found.at;
    if (Date.now() > deadline) throw new Error(`no ${payload} on ${topic} within ${timeoutMs} ms (got: ${messages.filter((m) => m.topic === topic).map((m) => m.payload.toString()).join(', ')})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
