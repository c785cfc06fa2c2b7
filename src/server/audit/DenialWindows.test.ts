import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditKind } from '../../shared/auditCatalogue.ts';
import type { AuditDraft } from '../store/types.ts';
import { DenialWindows, OTHER_SOURCES } from './DenialWindows.ts';

const denial = (kind: AuditKind, code: string, address: string): AuditDraft => ({
  kind, actor: null, actorRole: null, zone: null, address, userAgent: null, outcome: 'denied', detail: { code },
});

describe('DenialWindows', () => {
  it('writes the first denial of a source at once and counts the rest until its window closes', () => {
    const windows = new DenialWindows({ windowMs: 60_000, maxKeys: 10 });
    assert.equal(windows.note('192.0.2.1', denial('api.denied', 'AUTH_REQUIRED', '192.0.2.1'), 0), true);
    for (let t = 1; t <= 999; t++) assert.equal(windows.note('192.0.2.1', denial('api.denied', 'AUTH_REQUIRED', '192.0.2.1'), t), false);
    assert.deepEqual(windows.close(59_999), [], 'still open');
    const [summary, ...rest] = windows.close(60_000);
    assert.equal(rest.length, 0);
    assert.equal(summary!.repeated, 999);
    assert.deepEqual([summary!.firstAt, summary!.lastAt], [0, 999]);
    assert.equal(windows.note('192.0.2.1', denial('api.denied', 'AUTH_REQUIRED', '192.0.2.1'), 60_001), true, 'a new window writes again');
  });

  it('keeps sources, kinds and codes apart; a lone denial needs no summary', () => {
    const windows = new DenialWindows({ windowMs: 1_000, maxKeys: 10 });
    assert.equal(windows.note('a', denial('api.denied', 'AUTH_REQUIRED', 'a'), 0), true);
    assert.equal(windows.note('b', denial('api.denied', 'AUTH_REQUIRED', 'b'), 0), true);
    assert.equal(windows.note('a', denial('connect.denied', 'AUTH_REQUIRED', 'a'), 0), true);
    assert.equal(windows.note('a', denial('api.denied', 'ORIGIN_FORBIDDEN', 'a'), 0), true);
    assert.deepEqual(windows.close(Infinity), []);
    assert.equal(windows.openWindows, 0);
  });

  it('bounds the keys: sources beyond the limit share one key per kind and code', () => {
    const windows = new DenialWindows({ windowMs: 1_000, maxKeys: 3 });
    let written = 0;
    for (let i = 0; i < 100; i++) if (windows.note(`10.0.0.${i}`, denial('api.denied', 'AUTH_REQUIRED', `10.0.0.${i}`), 0)) written += 1;
    assert.equal(written, 4, 'three sources and one row for all the others');
    assert.equal(windows.openWindows, 4);
    const summaries = windows.close(Infinity);
    assert.equal(summaries.length, 1);
    assert.equal(summaries[0]!.first.address, OTHER_SOURCES);
    assert.equal(summaries[0]!.repeated, 96);
  });
});
