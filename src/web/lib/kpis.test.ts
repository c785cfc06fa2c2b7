import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeKpis, dtlsVersionName, formatKpis, qualitySampleOf, type StatsEntry } from './kpis.ts';

/**
 * Snapshots shaped like Chromium's `RTCPeerConnection.getStats()` on an operator's receive-only
 * connection (field names copied from chrome://webrtc-internals; unused fields trimmed).
 */
function chromiumSnapshot(overrides: {
  timestamp: number;
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  framesDecoded: number;
  framesPerSecond?: number;
  local?: Partial<StatsEntry>;
  transport?: Partial<StatsEntry>;
}): StatsEntry[] {
  const t = overrides.timestamp;
  return [
    { id: 'CIT01_96', type: 'codec', timestamp: t, mimeType: 'video/VP8', clockRate: 90000, payloadType: 96, transportId: 'T01' },
    {
      id: 'T01', type: 'transport', timestamp: t,
      bytesReceived: overrides.bytesReceived + 4000, bytesSent: 9120, packetsReceived: overrides.packetsReceived + 20, packetsSent: 44,
      dtlsRole: 'client', dtlsState: 'connected', iceLocalUsernameFragment: 'k7Qa', iceRole: 'controlled', iceState: 'connected',
      localCertificateId: 'CFAB:12', remoteCertificateId: 'CFCD:34',
      selectedCandidatePairChanges: 1, selectedCandidatePairId: 'CPxVw1rO5D_h2fZ0uT8',
      tlsVersion: 'FEFD', dtlsCipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', srtpCipher: 'AES_CM_128_HMAC_SHA1_80',
      ...overrides.transport,
    },
    // A pair that checked but was not chosen: must not be mistaken for the selected one.
    {
      id: 'CPxVw1rO5D_ab12cd34', type: 'candidate-pair', timestamp: t, transportId: 'T01',
      localCandidateId: 'IxVw1rO5D', remoteCandidateId: 'Iab12cd34', state: 'succeeded', nominated: false,
      currentRoundTripTime: 0.25, totalRoundTripTime: 0.5, responsesReceived: 2,
    },
    {
      id: 'CPxVw1rO5D_h2fZ0uT8', type: 'candidate-pair', timestamp: t, transportId: 'T01',
      localCandidateId: 'IxVw1rO5D', remoteCandidateId: 'Ih2fZ0uT8', state: 'succeeded', nominated: true, writable: true,
      priority: 9114756780654976000, packetsSent: 44, packetsReceived: overrides.packetsReceived,
      bytesSent: 9120, bytesReceived: overrides.bytesReceived, totalRoundTripTime: 0.006, currentRoundTripTime: 0.0012,
      availableOutgoingBitrate: 300000, requestsReceived: 6, requestsSent: 1, responsesReceived: 6, responsesSent: 6,
      consentRequestsSent: 5, lastPacketReceivedTimestamp: t - 3, lastPacketSentTimestamp: t - 40,
    },
    {
      id: 'IxVw1rO5D', type: 'local-candidate', timestamp: t, transportId: 'T01', isRemote: false,
      address: '127.0.0.1', port: 52110, protocol: 'udp', candidateType: 'host', priority: 2122260223,
      foundation: '1523409721', usernameFragment: 'k7Qa', networkType: 'ethernet', networkAdapterType: 'loopback', vpn: false,
      ...overrides.local,
    },
    {
      id: 'Ih2fZ0uT8', type: 'remote-candidate', timestamp: t, transportId: 'T01', isRemote: true,
      address: '127.0.0.1', port: 40411, protocol: 'udp', candidateType: 'host', priority: 2122260223, foundation: '2785134455',
    },
    {
      id: 'Iab12cd34', type: 'remote-candidate', timestamp: t, transportId: 'T01', isRemote: true,
      address: '192.0.2.10', port: 40412, protocol: 'udp', candidateType: 'srflx', priority: 1686052607,
    },
    {
      id: 'ITT01V2850176913', type: 'inbound-rtp', timestamp: t, ssrc: 2850176913, kind: 'video', mid: '0',
      transportId: 'T01', codecId: 'CIT01_96', trackIdentifier: '7d1c7b0b-3c8e-4a0e-9f55-2ad0a4c0f3a1',
      jitter: 0.003, packetsLost: overrides.packetsLost, packetsReceived: overrides.packetsReceived,
      bytesReceived: overrides.bytesReceived, headerBytesReceived: overrides.packetsReceived * 28,
      framesReceived: overrides.framesDecoded + 1, framesDecoded: overrides.framesDecoded, keyFramesDecoded: 2,
      framesDropped: 0, frameWidth: 1280, frameHeight: 720, ...(overrides.framesPerSecond === undefined ? {} : { framesPerSecond: overrides.framesPerSecond }),
      qpSum: 5821, totalDecodeTime: 0.412, jitterBufferDelay: 1.93, jitterBufferTargetDelay: 1.5, jitterBufferEmittedCount: overrides.framesDecoded,
      decoderImplementation: 'libvpx', powerEfficientDecoder: false,
    },
  ];
}

const previous = chromiumSnapshot({ timestamp: 1_700_000_000_000, bytesReceived: 1_000_000, packetsReceived: 1_000, packetsLost: 10, framesDecoded: 300, framesPerSecond: 30 });
const current = chromiumSnapshot({ timestamp: 1_700_000_001_000, bytesReceived: 1_250_000, packetsReceived: 1_198, packetsLost: 12, framesDecoded: 330, framesPerSecond: 30 });

describe('computeKpis', () => {
  it('follows the transport to its selected candidate pair, not another succeeded pair', () => {
    const kpis = computeKpis(current, previous);
    assert.deepEqual(kpis.icePath, { localType: 'host', remoteType: 'host', protocol: 'udp' });
    assert.equal(kpis.rttMs, 1.2);
    assert.equal(formatKpis(kpis).rtt, '1.2 ms');
    assert.equal(formatKpis(kpis).icePath, 'host · udp → host');
  });

  it('falls back to a nominated, succeeded pair when no transport stats exist (Firefox)', () => {
    const withoutTransport = current.filter((entry) => entry.type !== 'transport');
    assert.equal(computeKpis(withoutTransport).icePath?.localType, 'host');
    assert.equal(computeKpis(withoutTransport).rttMs, 1.2);
  });

  it('reads a RTCStatsReport-like Map as well as an array', () => {
    const report = new Map(current.map((entry) => [entry.id, entry]));
    assert.deepEqual(computeKpis(report, new Map(previous.map((entry) => [entry.id, entry]))), computeKpis(current, previous));
  });

  it('names a TURN relay path and how this end reaches the relay', () => {
    const relayed = chromiumSnapshot({
      timestamp: 1, bytesReceived: 1, packetsReceived: 1, packetsLost: 0, framesDecoded: 1,
      local: { candidateType: 'relay', protocol: 'udp', relayProtocol: 'tls', url: 'turns:turn.example.org:443?transport=tcp' },
    });
    const kpis = computeKpis(relayed);
    assert.deepEqual(kpis.icePath, { localType: 'relay', remoteType: 'host', protocol: 'udp', relayProtocol: 'tls' });
    assert.equal(formatKpis(kpis).icePath, 'relay · udp (TURN/TLS) → host');
  });

  it('computes bitrate from the byte delta over the timestamp delta', () => {
    // 250,000 bytes in 1 s = 2,000 kbps
    assert.equal(computeKpis(current, previous).bitrateKbps, 2000);
    assert.equal(formatKpis(computeKpis(current, previous)).bitrate, '2.00 Mbps');
    const halfSecondLater = chromiumSnapshot({ timestamp: 1_700_000_000_500, bytesReceived: 1_025_000, packetsReceived: 1_020, packetsLost: 10, framesDecoded: 315 });
    assert.equal(computeKpis(halfSecondLater, previous).bitrateKbps, 400);
    assert.equal(formatKpis(computeKpis(halfSecondLater, previous)).bitrate, '400 kbps');
  });

  it('computes loss over the interval, not since the call began', () => {
    // 2 lost, 198 received in the interval: 1 %, though the totals say 12 of 1,210.
    assert.equal(computeKpis(current, previous).lossPercent, 1);
    assert.equal(formatKpis(computeKpis(current, previous)).loss, '1.0 %');
  });

  it('uses framesPerSecond when reported, otherwise the framesDecoded delta', () => {
    assert.equal(computeKpis(current, previous).fps, 30);
    const noFps = chromiumSnapshot({ timestamp: 1_700_000_002_000, bytesReceived: 1_500_000, packetsReceived: 1_400, packetsLost: 12, framesDecoded: 355 });
    assert.equal(computeKpis(noFps, current).fps, 25);
    assert.equal(computeKpis(noFps, current).framesDecoded, 355);
  });

  it('reports resolution and the negotiated DTLS and SRTP parameters', () => {
    const shown = formatKpis(computeKpis(current, previous));
    assert.equal(shown.resolution, '1280×720');
    assert.equal(shown.codec, 'VP8', 'the codec entry the inbound stream names');
    assert.equal(shown.encryption, 'DTLS 1.2 · TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 · SRTP AES_CM_128_HMAC_SHA1_80');
    const dtls13 = chromiumSnapshot({
      timestamp: 1, bytesReceived: 1, packetsReceived: 1, packetsLost: 0, framesDecoded: 1,
      transport: { tlsVersion: 'FEFC', dtlsCipher: 'TLS_AES_128_GCM_SHA256', srtpCipher: 'AEAD_AES_128_GCM' },
    });
    assert.equal(formatKpis(computeKpis(dtls13)).encryption, 'DTLS 1.3 · TLS_AES_128_GCM_SHA256 · SRTP AEAD_AES_128_GCM');
    // Chromium 13x with BoringSSL reports the profile as SRTP_AES128_CM_HMAC_SHA1_80.
    const boringSsl = chromiumSnapshot({
      timestamp: 1, bytesReceived: 1, packetsReceived: 1, packetsLost: 0, framesDecoded: 1,
      transport: { tlsVersion: 'FEFC', dtlsCipher: 'TLS_AES_128_GCM_SHA256', srtpCipher: 'SRTP_AES128_CM_HMAC_SHA1_80' },
    });
    assert.equal(formatKpis(computeKpis(boringSsl)).encryption, 'DTLS 1.3 · TLS_AES_128_GCM_SHA256 · SRTP AES128_CM_HMAC_SHA1_80');
  });

  it('maps TLS record versions to DTLS names', () => {
    assert.equal(dtlsVersionName('FEFD'), 'DTLS 1.2');
    assert.equal(dtlsVersionName('fefc'), 'DTLS 1.3');
    assert.equal(dtlsVersionName('FEFF'), 'DTLS 1.0');
    assert.equal(dtlsVersionName('ABCD'), 'DTLS (0xABCD)');
    assert.equal(dtlsVersionName(undefined), null);
  });

  it('answers null, shown as "–", for everything a snapshot does not carry', () => {
    // Before ICE completes Chromium reports a transport with no selected pair and no inbound-rtp.
    const early: StatsEntry[] = [{ id: 'T01', type: 'transport', timestamp: 5, dtlsState: 'new', iceState: 'checking' }];
    const kpis = computeKpis(early);
    assert.deepEqual(kpis, {
      icePath: null, rttMs: null, bitrateKbps: null, fps: null, width: null, height: null,
      lossPercent: null, dtlsVersion: null, dtlsCipher: null, srtpCipher: null, codec: null, framesDecoded: null,
    });
    assert.deepEqual(Object.values(formatKpis(kpis)), Array(8).fill('–'));
    assert.deepEqual(Object.values(formatKpis(null)), Array(8).fill('–'));
    assert.equal(computeKpis([]).icePath, null);
  });

  it('gives no rate when the previous sample came from another connection or is missing', () => {
    const replaced = previous.map((entry) => (entry.type === 'inbound-rtp' ? { ...entry, id: 'ITT01V999' } : entry));
    assert.equal(computeKpis(current, replaced).bitrateKbps, null);
    assert.equal(computeKpis(current).bitrateKbps, null);
  });
});

describe('qualitySampleOf', () => {
  it('turns a tile\'s KPIs into the bounded figures a console reports upstream', () => {
    const base = { width: 1280, height: 720, dtlsVersion: null, dtlsCipher: null, srtpCipher: null, codec: null, framesDecoded: 10 };
    assert.deepEqual(
      qualitySampleOf('CBD-TRAFFIC-01', { ...base, icePath: { localType: 'relay', remoteType: 'host', protocol: 'udp' }, rttMs: 12.5, bitrateKbps: 1500, fps: 30, lossPercent: 2 }),
      { zone: 'CBD-TRAFFIC-01', icePath: 'relay', rttMs: 12.5, lossRatio: 0.02, bitrateBps: 1_500_000, fps: 30 },
    );
    assert.deepEqual(
      qualitySampleOf('CBD-TRAFFIC-01', { ...base, icePath: { localType: 'mystery', remoteType: null, protocol: 'udp' }, rttMs: null, bitrateKbps: null, fps: null, lossPercent: null }),
      { zone: 'CBD-TRAFFIC-01', icePath: null, rttMs: null, lossRatio: null, bitrateBps: null, fps: null },
    );
  });
});
