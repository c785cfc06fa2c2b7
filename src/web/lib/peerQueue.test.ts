import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerQueue, QueueClosedError } from './peerQueue.ts';

describe('PeerQueue', () => {
  it('runs tasks one at a time in queue order, even when an earlier one is slower', async () => {
    const queue = new PeerQueue();
    const log: string[] = [];
    const slow = queue.run(async () => {
      log.push('remote description: start');
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push('remote description: done');
    });
    const fast = queue.run(() => log.push('candidate'));
    await Promise.all([slow, fast]);
    assert.deepEqual(log, ['remote description: start', 'remote description: done', 'candidate']);
  });

  it('keeps going after a task fails', async () => {
    const queue = new PeerQueue();
    await assert.rejects(queue.run(() => { throw new Error('bad sdp'); }), /bad sdp/);
    assert.equal(await queue.run(() => 42), 42);
  });

  it('rejects work still waiting when closed', async () => {
    const queue = new PeerQueue();
    let started!: () => void;
    const running = new Promise<void>((resolve) => { started = resolve; });
    const first = queue.run(() => { started(); return new Promise((resolve) => setTimeout(resolve, 10)); });
    const second = queue.run(() => 'never');
    await running;
    queue.close();
    await first;
    await assert.rejects(second, QueueClosedError);
    await assert.rejects(queue.run(() => 'later'), QueueClosedError);
  });
});
