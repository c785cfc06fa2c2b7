import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, measureFps, openConsole, pillText, resultsPath, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { scrapeUntil } from '../support/metrics.ts';

/** The prototype showed video to exactly one operator; Vigil must serve every operator of a zone. */
const ZONE = 'CBD-TRAFFIC-01';
let gw: TestGateway;
let browser: Browser;

before(async () => {
  gw = await startGateway();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await gw?.close();
});

it('one camera, three operators: every operator decodes video and measures real KPIs', async () => {
  const camera = await startCamera(browser, gw, ZONE);
  const operators = [];
  for (let i = 0; i < 3; i++) operators.push(await openConsole(browser, gw, [ZONE]));
  // By default (`media.policy: auto`) the third operator moves the zone to the media relay; the
  // figures below are those of the connections the tiles settle on.
  for (const { page } of operators) {
    await page.waitForFunction((sel) => document.querySelector(`${sel} .tile-path`)?.getAttribute('data-path') === 'relay', tile(ZONE), { timeout: 20_000 });
  }

  const measured = [];
  for (const [index, { page }] of operators.entries()) {
    const first = await waitForVideo(page, ZONE);
    assert.ok(first.videoWidth > 0 && first.videoHeight > 0, `operator ${index + 1} has a picture`);
    // KPIs are measured from getStats about once a second; wait for a full sample.
    await page.waitForFunction((sel) => /\d/.test(document.querySelector(`${sel} [data-kpi="rtt"]`)?.textContent ?? ''), tile(ZONE), { timeout: 10_000 });
    const fps = await measureFps(page, ZONE);
    const later = await waitForVideo(page, ZONE);
    assert.ok(later.framesDecoded > first.framesDecoded, `operator ${index + 1}: framesDecoded keeps rising`);
    assert.match(later.kpis.icePath, /host/i, 'loopback ICE path is host');
    assert.match(later.kpis.icePath, /udp|tcp/i, 'the ICE path names its protocol');
    assert.match(later.kpis.rtt, /\d+(\.\d+)? ?ms/);
    assert.match(later.kpis.bitrate, /\d/);
    assert.match(later.kpis.resolution, /\d+\s*[×x]\s*\d+/);
    assert.match(later.kpis.encryption, /DTLS 1\.[23]/, 'negotiated DTLS version from the transport stats');
    assert.match(later.kpis.encryption, /AES|CHACHA/i, 'negotiated cipher names');
    assert.ok(fps >= 10, `operator ${index + 1} plays at ${fps.toFixed(1)} fps`);
    assert.equal(await pillText(page), 'STREAMING');
    measured.push({ operator: index + 1, firstFrameMs: first.firstFrameMs, measuredFps: Number(fps.toFixed(1)), kpis: later.kpis });
  }
  assert.equal(await camera.page.textContent('#operator-count'), '3', 'the camera counts three operators, served through the relay');
  assert.equal(await camera.page.textContent('#camera-session'), 'publishing via relay');
  assert.equal(await pillText(camera.page), 'STREAMING');
  for (const { errors } of [camera, ...operators]) assert.deepEqual(errors, []);

  // Each console reports its tiles' getStats figures upstream; /metrics shows them per zone.
  const label = `{zone="${ZONE}"}`;
  const metrics = await scrapeUntil(gw, (m) => m.get(`vigil_zone_quality_reporters${label}`) === 3);
  assert.equal(metrics.get(`vigil_zone_ice_path_viewers{zone="${ZONE}",path="host"}`), 3);
  assert.ok((metrics.get(`vigil_zone_frames_per_second${label}`) ?? 0) >= 10, 'reported fps');
  assert.ok((metrics.get(`vigil_zone_bitrate_bits_per_second${label}`) ?? 0) > 10_000, 'reported bitrate');
  assert.ok((metrics.get(`vigil_zone_rtt_seconds${label}`) ?? 1) < 0.5, 'reported RTT');
  assert.equal(metrics.get('vigil_viewing_sessions'), 3);

  writeFileSync(resultsPath('three-operators.json'), JSON.stringify(measured, null, 2));
  console.log(`three-operators: ${JSON.stringify(measured)}`);

  // The README's screenshot is taken from this real run.
  const shot = resultsPath('console-live.png');
  await operators[0]!.page.screenshot({ path: shot, fullPage: true });
  await camera.page.screenshot({ path: resultsPath('camera-node.png'), fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    const docs = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
    mkdirSync(docs, { recursive: true });
    copyFileSync(shot, join(docs, 'console-live.png'));
    copyFileSync(resultsPath('camera-node.png'), join(docs, 'camera-node.png'));
  }
});
