import assert from 'node:assert/strict';
import { it } from 'node:test';
import { processCpuSeconds } from './processCpu.ts';

it('reads a process\'s CPU time, growing as it works, and null for a process that is not there', () => {
  const before = processCpuSeconds(process.pid)!;
  const until = performance.now() + 150;
  while (performance.now() < until) Math.sqrt(Math.random());
  const after = processCpuSeconds(process.pid)!;
  assert.ok(after - before >= 0.05, `${after - before} s of CPU for a 150 ms busy loop`);
  assert.equal(processCpuSeconds(2 ** 22 + 12345), null);
});
