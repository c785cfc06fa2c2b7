import { Timing, type QualitySample, type ZoneId } from '../../shared/index.ts';

type Sample = Omit<QualitySample, 'zone'> & { at: number };

export interface ZoneQualitySummary {
  zone: ZoneId;
  /** Consoles whose latest report is fresh. */
  reporters: number;
  rttSeconds: number | null;
  lossRatio: number | null;
  bitrateBps: number | null;
  fps: number | null;
  /** Reporting consoles per ICE path (host, srflx, prflx, relay). */
  icePaths: Record<string, number>;
}

const mean = (values: (number | null)[]): number | null => {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
};

/**
 * The network quality the operators' consoles measure for each zone, latest sample per console.
 * Bounded: only zones a console is watching are accepted, one sample per (zone, console), and
 * samples older than Timing.qualityStaleMs are dropped when read.
 */
export class ZoneQuality {
  readonly #byZone = new Map<ZoneId, Map<string, Sample>>();

  constructor(private readonly now: () => number = Date.now) {}

  report(reporter: string, zone: ZoneId, sample: Omit<QualitySample, 'zone'>): void {
    let samples = this.#byZone.get(zone);
    if (!samples) this.#byZone.set(zone, (samples = new Map()));
    samples.set(reporter, { ...sample, at: this.now() });
  }

  /** A console stopped watching `zone` (or every zone, when omitted). */
  forget(reporter: string, zone?: ZoneId): void {
    for (const [id, samples] of this.#byZone) {
      if (zone !== undefined && id !== zone) continue;
      samples.delete(reporter);
      if (samples.size === 0) this.#byZone.delete(id);
    }
  }

  summaries(): ZoneQualitySummary[] {
    const cutoff = this.now() - Timing.qualityStaleMs;
    const out: ZoneQualitySummary[] = [];
    for (const [zone, samples] of this.#byZone) {
      for (const [reporter, sample] of samples) if (sample.at < cutoff) samples.delete(reporter);
      if (samples.size === 0) {
        this.#byZone.delete(zone);
        continue;
      }
      const fresh = [...samples.values()];
      const icePaths: Record<string, number> = {};
      for (const s of fresh) if (s.icePath) icePaths[s.icePath] = (icePaths[s.icePath] ?? 0) + 1;
      const rttMs = mean(fresh.map((s) => s.rttMs));
      out.push({
        zone,
        reporters: fresh.length,
        rttSeconds: rttMs === null ? null : rttMs / 1000,
        lossRatio: mean(fresh.map((s) => s.lossRatio)),
        bitrateBps: mean(fresh.map((s) => s.bitrateBps)),
        fps: mean(fresh.map((s) => s.fps)),
        icePaths,
      });
    }
    return out.sort((a, b) => a.zone.localeCompare(b.zone));
  }
}
