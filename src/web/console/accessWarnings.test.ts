import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MeResponse } from '../../shared/index.ts';
import { accessWarnings, scheduleWarnings, WARN_BEFORE_MS } from './accessWarnings.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const me = (grants: MeResponse['grants'], sessionEndsInMs = 12 * 3600_000): MeResponse => ({
  user: { id: 2, username: 'ola', role: 'operator', disabled: false, createdAt: '2026-01-01T00:00:00Z' },
  session: { expiresAt: new Date(NOW + sessionEndsInMs).toISOString(), idleTimeoutSeconds: 1800 },
  grants,
});

describe('accessWarnings', () => {
  it('warns a quarter of an hour before a grant with an end, never for a grant until removed, and before the session ends', () => {
    const ends = new Date(NOW + 3600_000).toISOString();
    const warnings = accessWarnings(me([{ pattern: 'CBD-*', expiresAt: ends }, { pattern: 'PARK-*', expiresAt: null }]), NOW);
    assert.deepEqual(warnings.map((w) => [w.code, w.at - NOW]), [['GRANT_EXPIRING', 3600_000 - WARN_BEFORE_MS], ['SESSION_EXPIRING', 12 * 3600_000 - WARN_BEFORE_MS]]);
    assert.match(warnings[0]!.message, /^Your access to CBD-\* ends at \d{2}:\d{2}; its tiles close then\./);
  });

  it('says at once what is already closer than that, and nothing of what has ended', () => {
    const soon = accessWarnings(me([{ pattern: 'CBD-*', expiresAt: new Date(NOW + 60_000).toISOString() }, { pattern: 'OLD-*', expiresAt: new Date(NOW - 1).toISOString() }], 5 * 60_000), NOW);
    assert.deepEqual(soon.map((w) => [w.code, w.at]), [['GRANT_EXPIRING', NOW], ['SESSION_EXPIRING', NOW]]);
  });

  it('schedules each at its time and cancels the rest', async () => {
    const shown: string[] = [];
    const now = Date.now();
    const cancel = scheduleWarnings([
      { code: 'GRANT_EXPIRING', message: 'a', at: now + 10 },
      { code: 'SESSION_EXPIRING', message: 'b', at: now + 60_000 },
    ], (w) => shown.push(w.message), now);
    await new Promise((resolve) => setTimeout(resolve, 40));
    cancel();
    assert.deepEqual(shown, ['a']);
  });
});
