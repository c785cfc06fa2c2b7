import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from './TokenBucket.ts';

describe('TokenBucket', () => {
  it('allows a burst up to capacity, then refills at the steady rate', () => {
    let now = 1_000;
    const bucket = new TokenBucket(3, 2, () => now);
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
    now += 500; // half a second at 2/s = one token
    assert.deepEqual([bucket.take(), bucket.take()], [true, false]);
    now += 60_000; // never more than capacity
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  });
});
