/**
 * Key performance indicators of one peer connection, computed from `getStats()` snapshots by pure
 * functions so they can be tested without a browser. UI code only renders what these return.
 * Field names are the W3C webrtc-stats ones, as Chromium reports them.
 */
import { ICE_PATHS, type QualitySample } from '../../shared/index.ts';

/** One stats object as `RTCStatsReport` yields it: always `id`, `type`, `timestamp` (ms). */
export interface StatsEntry {
  readonly id: string;
  readonly type: string;
  readonly timestamp: number;
  readonly [field: string]: unknown;
}

/** An `RTCStatsReport` (Map-like), any iterable of entries, or a plain array (tests). */
export type StatsSnapshot = Iterable<StatsEntry> | { values(): Iterable<StatsEntry> };

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

export interface IcePath {
  readonly localType: string;
  readonly remoteType: string | null;
  /** Transport between the two candidates: udp or tcp. */
  readonly protocol: string;
  /** For a relayed local candidate: how this end reaches the TURN server (udp, tcp, tls). */
  readonly relayProtocol?: string;
}

export interface Kpis {
  readonly icePath: IcePath | null;
  readonly rttMs: number | null;
  readonly bitrateKbps: number | null;
  readonly fps: number | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly lossPercent: number | null;
  readonly dtlsVersion: string | null;
  readonly dtlsCipher: string | null;
  readonly srtpCipher: string | null;
  /** The video codec negotiated, as its MIME subtype (`H264`, `VP8`). */
  readonly codec: string | null;
  readonly framesDecoded: number | null;
}

export const NO_VALUE = '–';

function entriesOf(snapshot: StatsSnapshot | undefined): StatsEntry[] {
  if (!snapshot) return [];
  if (Array.isArray(snapshot)) return snapshot as StatsEntry[];
  if ('values' in snapshot && typeof snapshot.values === 'function') return [...snapshot.values()];
  return [...(snapshot as Iterable<StatsEntry>)];
}

function num(entry: StatsEntry | undefined, field: string): number | null {
  const value = entry?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(entry: StatsEntry | undefined, field: string): string | null {
  const value = entry?.[field];
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The candidate pair media flows on: the one the transport names (Chromium, Safari), else a pair
 * flagged `selected` (Firefox) or nominated and succeeded.
 */
export function selectedCandidatePair(entries: readonly StatsEntry[]): StatsEntry | undefined {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  for (const transport of entries.filter((entry) => entry.type === 'transport')) {
    const pairId = str(transport, 'selectedCandidatePairId');
    const pair = pairId ? byId.get(pairId) : undefined;
    if (pair) return pair;
  }
  const pairs = entries.filter((entry) => entry.type === 'candidate-pair');
  return (
    pairs.find((pair) => pair.selected === true) ??
    pairs.find((pair) => pair.nominated === true && pair.state === 'succeeded')
  );
}

function inboundVideo(entries: readonly StatsEntry[]): StatsEntry | undefined {
  return entries.find((entry) => entry.type === 'inbound-rtp' && (entry.kind ?? entry.mediaType) === 'video');
}

function transportOf(entries: readonly StatsEntry[], pair: StatsEntry | undefined): StatsEntry | undefined {
  const transports = entries.filter((entry) => entry.type === 'transport');
  const pairTransport = str(pair, 'transportId');
  return transports.find((t) => t.id === pairTransport) ?? transports.find((t) => t.selectedCandidatePairId !== undefined) ?? transports[0];
}

/**
 * DTLS protocol version from the transport's `tlsVersion`, which browsers report as the record
 * version in hex: FEFF = DTLS 1.0, FEFD = DTLS 1.2, FEFC = DTLS 1.3.
 * @example dtlsVersionName('FEFD') // 'DTLS 1.2'
 */
export function dtlsVersionName(tlsVersion: string | null | undefined): string | null {
  if (!tlsVersion) return null;
  const names: Record<string, string> = { FEFF: 'DTLS 1.0', FEFD: 'DTLS 1.2', FEFC: 'DTLS 1.3' };
  return names[tlsVersion.toUpperCase()] ?? `DTLS (0x${tlsVersion})`;
}

function delta(current: StatsEntry | undefined, previous: StatsEntry | undefined, field: string): number | null {
  const now = num(current, field);
  const before = num(previous, field);
  return now === null || before === null ? null : now - before;
}

/**
 * KPIs of one snapshot; rates need the previous snapshot of the same connection (about one
 * second earlier). Anything the snapshot does not carry is null.
 */
export function computeKpis(current: StatsSnapshot, previous?: StatsSnapshot): Kpis {
  const entries = entriesOf(current);
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const pair = selectedCandidatePair(entries);
  const transport = transportOf(entries, pair);
  const inbound = inboundVideo(entries);
  const earlier = inbound ? entriesOf(previous).find((entry) => entry.id === inbound.id) : undefined;

  const seconds = earlier && inbound ? (inbound.timestamp - earlier.timestamp) / 1000 : 0;
  const rate = (field: string): number | null => {
    const change = delta(inbound, earlier, field);
    return change === null || seconds <= 0 || change < 0 ? null : change / seconds;
  };

  const bytesPerSecond = rate('bytesReceived');
  const rtt = num(pair, 'currentRoundTripTime');
  return {
    icePath: icePathOf(pair, byId),
    rttMs: rtt === null ? null : rtt * 1000,
    bitrateKbps: bytesPerSecond === null ? null : (bytesPerSecond * 8) / 1000,
    fps: num(inbound, 'framesPerSecond') ?? rate('framesDecoded'),
    width: num(inbound, 'frameWidth'),
    height: num(inbound, 'frameHeight'),
    lossPercent: lossPercentOf(inbound, earlier),
    dtlsVersion: dtlsVersionName(str(transport, 'tlsVersion')),
    dtlsCipher: str(transport, 'dtlsCipher'),
    srtpCipher: str(transport, 'srtpCipher'),
    codec: codecOf(inbound, byId),
    framesDecoded: num(inbound, 'framesDecoded'),
  };
}

function icePathOf(pair: StatsEntry | undefined, byId: ReadonlyMap<string, StatsEntry>): IcePath | null {
  const localId = str(pair, 'localCandidateId');
  const local = localId ? byId.get(localId) : undefined;
  const localType = str(local, 'candidateType');
  if (!local || !localType) return null;
  const remoteId = str(pair, 'remoteCandidateId');
  const remote = remoteId ? byId.get(remoteId) : undefined;
  const relayProtocol = localType === 'relay' ? str(local, 'relayProtocol') : null;
  return {
    localType,
    remoteType: str(remote, 'candidateType'),
    protocol: str(local, 'protocol') ?? str(remote, 'protocol') ?? 'udp',
    ...(relayProtocol ? { relayProtocol } : {}),
  };
}

/** The inbound stream's codec entry, by `codecId`: `video/H264` → `H264`. */
function codecOf(inbound: StatsEntry | undefined, byId: ReadonlyMap<string, StatsEntry>): string | null {
  const codecId = str(inbound, 'codecId');
  const mimeType = str(codecId ? byId.get(codecId) : undefined, 'mimeType');
  return mimeType ? (mimeType.split('/')[1] ?? mimeType) : null;
}

/** Packets lost as a share of packets expected, over the interval since the previous snapshot. */
function lossPercentOf(inbound: StatsEntry | undefined, earlier: StatsEntry | undefined): number | null {
  const lost = earlier ? delta(inbound, earlier, 'packetsLost') : num(inbound, 'packetsLost');
  const received = earlier ? delta(inbound, earlier, 'packetsReceived') : num(inbound, 'packetsReceived');
  if (lost === null || received === null || received < 0) return null;
  const lostClamped = Math.max(0, lost); // packetsLost can fall when late duplicates arrive
  const expected = lostClamped + received;
  return expected === 0 ? null : (lostClamped / expected) * 100;
}

// ---------------------------------------------------------------- display

export interface FormattedKpis {
  readonly icePath: string;
  readonly rtt: string;
  readonly bitrate: string;
  readonly fps: string;
  readonly resolution: string;
  readonly loss: string;
  readonly codec: string;
  readonly encryption: string;
}

/** @example formatIcePath({ localType: 'relay', remoteType: 'host', protocol: 'udp', relayProtocol: 'tls' }) // 'relay · udp (TURN/TLS) → host' */
export function formatIcePath(path: IcePath | null): string {
  if (!path) return NO_VALUE;
  const relay = path.relayProtocol ? ` (TURN/${path.relayProtocol.toUpperCase()})` : '';
  const remote = path.remoteType ? ` → ${path.remoteType}` : '';
  return `${path.localType} · ${path.protocol}${relay}${remote}`;
}

/** Sub-10 ms round trips (a LAN) keep one decimal so they do not all read "0 ms". */
export function formatRtt(rttMs: number | null): string {
  if (rttMs === null) return NO_VALUE;
  return `${rttMs < 10 ? rttMs.toFixed(1) : Math.round(rttMs)} ms`;
}

export function formatBitrate(kbps: number | null): string {
  if (kbps === null) return NO_VALUE;
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(2)} Mbps` : `${Math.round(kbps)} kbps`;
}

export function formatFps(fps: number | null): string {
  return fps === null ? NO_VALUE : `${Math.round(fps)} fps`;
}

export function formatResolution(width: number | null, height: number | null): string {
  return width === null || height === null ? NO_VALUE : `${width}×${height}`;
}

export function formatLoss(lossPercent: number | null): string {
  return lossPercent === null ? NO_VALUE : `${lossPercent.toFixed(lossPercent < 10 ? 1 : 0)} %`;
}

/**
 * DTLS version, DTLS cipher suite, SRTP protection profile. Chromium names the profile the
 * BoringSSL way (SRTP_AES128_CM_HMAC_SHA1_80), the spec the IANA way (AES_CM_128_HMAC_SHA1_80);
 * either is shown once after "SRTP".
 * @example formatEncryption(kpis) // 'DTLS 1.2 · TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 · SRTP AES_CM_128_HMAC_SHA1_80'
 */
export function formatEncryption(kpis: Pick<Kpis, 'dtlsVersion' | 'dtlsCipher' | 'srtpCipher'>): string {
  const srtp = kpis.srtpCipher ? `SRTP ${kpis.srtpCipher.replace(/^SRTP_/, '')}` : null;
  const parts = [kpis.dtlsVersion, kpis.dtlsCipher, srtp].filter(
    (part): part is string => part !== null,
  );
  return parts.length === 0 ? NO_VALUE : parts.join(' · ');
}

export function formatKpis(kpis: Kpis | null): FormattedKpis {
  if (!kpis) {
    return { icePath: NO_VALUE, rtt: NO_VALUE, bitrate: NO_VALUE, fps: NO_VALUE, resolution: NO_VALUE, loss: NO_VALUE, codec: NO_VALUE, encryption: NO_VALUE };
  }
  return {
    icePath: formatIcePath(kpis.icePath),
    rtt: formatRtt(kpis.rttMs),
    bitrate: formatBitrate(kpis.bitrateKbps),
    fps: formatFps(kpis.fps),
    resolution: formatResolution(kpis.width, kpis.height),
    loss: formatLoss(kpis.lossPercent),
    codec: kpis.codec ?? NO_VALUE,
    encryption: formatEncryption(kpis),
  };
}

/** The figures a console reports upstream for /metrics (`quality:report`), from one tile's KPIs. */
export function qualitySampleOf(zone: string, kpis: Kpis): QualitySample {
  const path = kpis.icePath?.localType;
  return {
    zone,
    icePath: (ICE_PATHS as readonly string[]).includes(path ?? '') ? (path as QualitySample['icePath']) : null,
    rttMs: kpis.rttMs === null ? null : Math.min(kpis.rttMs, 60_000),
    lossRatio: kpis.lossPercent === null ? null : Math.min(Math.max(kpis.lossPercent / 100, 0), 1),
    bitrateBps: kpis.bitrateKbps === null ? null : Math.round(kpis.bitrateKbps * 1000),
    fps: kpis.fps === null ? null : Math.min(kpis.fps, 240),
  };
}
