import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { addZone, launchBrowser, openConsole, startCamera, tile, waitForVideo, type BrowserTarget } from '../support/browser.ts';
import { TEST_ADMIN_PASSWORD } from '../support/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../support/gatewayProcess.ts';
import { cookieFrom, httpsRequestTo } from '../support/http.ts';
import { parseMetrics } from '../support/metrics.ts';
import { startNginx, type Nginx } from '../support/nginx.ts';
import { startPostgres, type Postgres } from '../support/postgres.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

/**
 * The deployment of docs/deployment.md on loopback: Debian's nginx with deploy/nginx.conf in
 * front of two gateway processes sharing Redis and PostgreSQL, and Chromium on the other side.
 */
const ZONE = 'CBD-TRAFFIC-01';
let redis: RedisServer;
let postgres: Postgres;
let nodes: GatewayProcess[] = [];
let nginx: Nginx;
let browser: Browser;

before(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  const env = { VIGIL_DATABASE_URL: await postgres.createDatabase(), VIGIL_REDIS_URL: redis.url, VIGIL_TRUSTED_PROXIES: '127.0.0.1', VIGIL_LOG_LEVEL: 'warn' };
  // One after the other: the first creates the schema and the first admin.
  nodes = [await spawnGateway(env)];
  nodes.push(await spawnGateway(env));
  nginx = await startNginx({ upstreamPorts: [nodes[0]!.port, nodes[1]!.port], cert: join(nodes[0]!.dataDir, 'tls-cert.pem'), key: join(nodes[0]!.dataDir, 'tls-key.pem') });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await nginx?.stop();
  for (const node of nodes) {
    node.child.kill('SIGKILL');
    rmSync(node.dataDir, { recursive: true, force: true });
  }
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

/** Which node serves the camera and the operator, from each node's own /metrics. */
async function placement(): Promise<{ camera: number[]; operator: number[] }> {
  const out = { camera: [] as number[], operator: [] as number[] };
  for (const [i, node] of nodes.entries()) {
    if (node.child.exitCode !== null || node.child.signalCode !== null) continue;
    const metrics = parseMetrics((await node.api('/metrics')).body);
    if ((metrics.get('vigil_cameras_online') ?? 0) > 0) out.camera.push(i);
    if ((metrics.get('vigil_operators_connected') ?? 0) > 0) out.operator.push(i);
  }
  return out;
}

it('camera through node A, operator through node B: video flows; node A dies, the camera comes back through B and resumes its pairing with no operator action', async () => {
  const login = await httpsRequestTo(`${nginx.url}/api/auth/login`, { body: { username: 'admin', password: TEST_ADMIN_PASSWORD }, headers: { origin: nginx.url } });
  const cookie = cookieFrom(login);
  const target: BrowserTarget = {
    url: nginx.url,
    admin: { id: 1, username: 'admin', password: TEST_ADMIN_PASSWORD, cookie },
    async createCameraKey(zonePattern, label = 'cluster camera') {
      const reply = await httpsRequestTo(`${nginx.url}/api/keys`, { body: { label, zonePattern }, headers: { origin: nginx.url, cookie } });
      assert.equal(reply.status, 201, reply.body);
      return reply.json.secret as string;
    },
  };

  const camera = await startCamera(browser, target, ZONE);
  const console_ = await openConsole(browser, target, [ZONE]);
  await waitForVideo(console_.page, ZONE);
  // least_conn counts the page's own requests still in flight when its WebSocket connects, so
  // the console may land beside the camera; the scenario needs them apart: reconnect it.
  let before = await placement();
  for (let attempt = 1; attempt < 5 && before.camera[0] === before.operator[0]; attempt++) {
    await console_.page.reload();
    await addZone(console_.page, ZONE);
    await waitForVideo(console_.page, ZONE);
    before = await placement();
  }
  assert.equal(before.camera.length, 1);
  assert.equal(before.operator.length, 1);
  assert.notEqual(before.camera[0], before.operator[0], `nginx spread the two sessions over both nodes: ${JSON.stringify(before)}`);
  const peerBefore = await console_.page.getAttribute(tile(ZONE), 'data-peer');
  assert.ok(peerBefore);

  const a = nodes[before.camera[0]!]!;
  const exited = new Promise((resolve) => a.child.once('exit', resolve));
  a.child.kill('SIGKILL');
  await exited; // placement() asks only the nodes still running
  // The camera's socket drops with node A; it reconnects through nginx (to B) and publishes again
  // with its resume token and the peer it still plays: B pairs it with the operator again under
  // the same peer id, so the tile never renegotiates and its video never stops.
  const framesAtKill = (await waitForVideo(console_.page, ZONE)).framesDecoded;
  const deadline = Date.now() + 30_000;
  let moved = await placement();
  while (moved.camera[0] !== before.operator[0] && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    moved = await placement();
  }
  assert.equal(await console_.page.getAttribute(tile(ZONE), 'data-peer'), peerBefore, 'the same pairing plays on');
  await console_.page.waitForFunction(
    ([selector, frames]) => Number(document.querySelector(selector as string)?.getAttribute('data-frames-decoded')) > (frames as number) + 30,
    [tile(ZONE), framesAtKill] as const,
    { timeout: 10_000 },
  );
  await camera.page.waitForFunction(() => document.querySelector('#status-pill')?.textContent?.trim() === 'STREAMING', undefined, { timeout: 10_000, polling: 100 });
  const later = await waitForVideo(console_.page, ZONE);
  assert.ok(later.framesDecoded > 0);
  const after_ = await placement();
  assert.deepEqual(after_, { camera: [before.operator[0]!], operator: [before.operator[0]!] }, 'both now on the surviving node');
  assert.deepEqual(console_.errors.filter((e) => !/WebSocket|ERR_CONNECTION|502|net::/.test(e)), []);
});
