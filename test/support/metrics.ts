import assert from 'node:assert/strict';
import type { TestGateway } from './gateway.ts';

export type Samples = Map<string, number>;

/** Parses Prometheus text exposition: `name{labels} value` lines, comments skipped. */
export function parseMetrics(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(match, `a valid exposition line: ${line}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

/** Reads the gateway's /metrics (from loopback, which the default allow-list admits). */
export async function scrape(gw: TestGateway, headers: Record<string, string> = {}): Promise<Samples> {
  const reply = await gw.api('/metrics', { headers });
  assert.equal(reply.status, 200, reply.body);
  assert.match(String(reply.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parseMetrics(reply.body);
}

/** Scrapes until `ready` holds (consoles report every few seconds), or fails after `timeoutMs`. */
export async function scrapeUntil(gw: TestGateway, ready: (samples: Samples) => boolean, timeoutMs = 15_000): Promise<Samples> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await scrape(gw);
    if (ready(samples)) return samples;
    if (Date.now() > deadline) throw new Error(`metrics never matched; last scrape:\n${[...samples].filter(([k]) => k.startsWith('vigil_zone')).map(([k, v]) => `${k} ${v}`).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
