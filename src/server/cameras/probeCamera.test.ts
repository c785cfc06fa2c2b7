import assert from 'node:assert/strict';
import { it } from 'node:test';
import { classifyFailure, verdict, withCredentials } from './probeCamera.ts';

it('classifies ffmpeg\'s failures and never repeats the credentials it quotes', () => {
  const url = 'rtsp://viewer:s3cret@10.0.0.7:554/stream1';
  assert.equal(classifyFailure(`[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized\n${url}: Server returned 401 Unauthorized (authorization failed)`).status, 'auth_failed');
  assert.equal(classifyFailure(`${url}: Connection refused`).status, 'unreachable');
  assert.match(classifyFailure('method DESCRIBE failed: 404 Not Found').message, /no stream at this path/);
  const odd = classifyFailure(`${url}: Invalid data found when processing input`);
  assert.equal(odd.status, 'unreachable');
  assert.match(odd.message, /ffmpeg: rtsp:\/\/\*\*\*@10\.0\.0\.7:554\/stream1: Invalid data/);
  assert.ok(!odd.message.includes('s3cret'));
});

it('puts the credentials back into the URL, encoded, for ffmpeg only', () => {
  assert.equal(withCredentials({ url: 'rtsp://10.0.0.7/s', username: 'a b', password: 'p@ss:w/rd#1', transport: 'tcp' }), 'rtsp://a%20b:p%40ss%3Aw%2Frd%231@10.0.0.7/s');
  assert.equal(withCredentials({ url: 'rtsp://10.0.0.7/s', username: null, password: null, transport: 'udp' }), 'rtsp://10.0.0.7/s');
});

it('passes H.264 without B-frames through and names the setting to change otherwise', () => {
  assert.deepEqual(verdict('h264', false), { passThrough: true, problem: null });
  assert.match(verdict('h264', true).problem!, /B-frames/);
  assert.match(verdict('hevc', false).problem!, /H\.265/);
  assert.match(verdict('mjpeg', false).problem!, /mjpeg.*H\.264/);
});
