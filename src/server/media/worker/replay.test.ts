import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import { squeezedReplay } from './replay.ts';

const packet = (sequenceNumber: number, timestamp: number) => new RtpPacket(new RtpHeader({ sequenceNumber, timestamp, payloadType: 96 }), Buffer.from([sequenceNumber]));

it('moves the replayed pictures to just before the newest, 1 ms apart, and leaves the originals alone', () => {
  // Three pictures 2 s of media time apart in all (3000 ticks each), the first of two packets.
  const run = [packet(1, 1000), packet(2, 1000), packet(3, 4000), packet(4, 7000), packet(5, 7000)];
  const replay = squeezedReplay(run);
  assert.deepEqual(replay.map((p) => p.header.timestamp), [6820, 6820, 6910, 7000, 7000]);
  assert.deepEqual(replay.map((p) => p.header.sequenceNumber), [1, 2, 3, 4, 5]);
  assert.deepEqual(run.map((p) => p.header.timestamp), [1000, 1000, 4000, 7000, 7000]);
});

it('wraps around the 32-bit timestamp', () => {
  const replay = squeezedReplay([packet(1, 4294967000), packet(2, 50)]);
  assert.deepEqual(replay.map((p) => p.header.timestamp), [4294967256, 50]);
});
