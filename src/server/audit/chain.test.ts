import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUDIT_FIELDS, AUDIT_HASH_FORMAT, isAuditKind, type AnyAuditField, type AuditEntry, type AuditField } from '../../shared/auditCatalogue.ts';
import type { AuditDraft } from '../store/types.ts';
import { CSV_HEADER } from './AuditTrail.ts';
import { entryHash, GENESIS_HASH, verifyChain, type HashInput } from './chain.ts';

const draft: AuditDraft = {
  kind: 'view.started', actor: 'alice', actorRole: 'operator', zone: 'CBD-TRAFFIC-01', address: '192.0.2.7',
  userAgent: 'Firefox', outcome: 'ok', detail: { activity: 'view:abc', n: 1 },
};

// What a later change might add: the gateway node that wrote the entry, hashed from format 2 on.
const node: AuditField<'node', 'node', string | null, string | null> = {
  key: 'node', column: 'node', from: 'store', hashedSince: 2, csv: true, toColumn: (v) => v, fromColumn: (v) => v,
};
const WITH_NODE = [...AUDIT_FIELDS, node] as const;
type Entry = AuditEntry & { node?: string | null };

/** Appends as a gateway writing `hashVersion` with `fields` would. */
function append(chain: Entry[], hashVersion: number, fields: readonly AnyAuditField[], extra: Partial<Entry> = {}): void {
  const prev = chain.at(-1);
  const chained: HashInput & { id: number; node?: string | null } = {
    ...draft, ...extra, id: (prev?.id ?? 0) + 1, at: new Date(Date.UTC(2026, 0, 1) + chain.length * 1_000).toISOString(),
    prevHash: prev?.hash ?? GENESIS_HASH, hashVersion,
  };
  chain.push({ ...chained, hash: entryHash(chained, fields) });
}

const ends = (chain: Entry[]) => ({ anchor: null, head: { lastId: chain.at(-1)!.id, lastHash: chain.at(-1)!.hash } });

/** Three entries from before the node field, then three after it. */
function mixedChain(): Entry[] {
  const chain: Entry[] = [];
  for (let i = 0; i < 3; i++) append(chain, 1, AUDIT_FIELDS, { detail: { i } });
  for (let i = 3; i < 6; i++) append(chain, 2, WITH_NODE, { detail: { i }, node: `node-${i}` });
  return chain;
}

const tampered = (change: (chain: Entry[]) => void) => {
  const chain = mixedChain();
  change(chain);
  return verifyChain(chain, ends(chain), WITH_NODE);
};

describe('audit hash formats', () => {
  it('hashes format 1 exactly as entries were hashed before formats had numbers', () => {
    // Computed with the positional hash the trail used before the hash_version column.
    const hash = entryHash({ ...draft, prevHash: GENESIS_HASH, at: '2026-01-02T03:04:05.678Z', hashVersion: 1 });
    assert.equal(hash, '99f2c34310f570ca48bb819b56e0860ce42e78cd9487cd814a070f8773822ab2');
    assert.equal(AUDIT_HASH_FORMAT, 1);
  });

  it('verifies a chain of format 1 entries followed by entries of a format that hashes one more field', async () => {
    const chain = mixedChain();
    assert.deepEqual(await verifyChain(chain, ends(chain), WITH_NODE), { ok: true, checked: 6, firstBadId: null, reason: null });
    assert.deepEqual(await verifyChain(chain.slice(0, 3), ends(chain.slice(0, 3))), { ok: true, checked: 3, firstBadId: null, reason: null },
      'the old entries verify under the catalogue they were written with too');
  });

  it('detects an edit to an old entry and to a new one, including the field only the new format hashes', async () => {
    assert.deepEqual(await tampered((c) => { c[1]!.actor = 'someone-else'; }),
      { ok: false, checked: 1, firstBadId: 2, reason: 'content does not match its hash (edited)' });
    assert.equal((await tampered((c) => { c[4]!.detail = { i: 99 }; })).firstBadId, 5);
    assert.equal((await tampered((c) => { c[4]!.node = 'node-elsewhere'; })).firstBadId, 5);
  });

  it('detects an entry made to name another format than the one it was hashed with', async () => {
    assert.equal((await tampered((c) => { c[1]!.hashVersion = 2; })).firstBadId, 2, 'an old entry claimed to be new');
    assert.equal((await tampered((c) => { c[4]!.hashVersion = 1; })).firstBadId, 5, 'a new entry passed off as old, so its node is not hashed');
    assert.deepEqual(await tampered((c) => { c[4]!.hashVersion = 3; }),
      { ok: false, checked: 4, firstBadId: 5, reason: 'names an unknown hash format (3)' });
    const chain = mixedChain();
    assert.equal((await verifyChain(chain, ends(chain))).firstBadId, 4, 'a gateway that does not know format 2 does not take it on trust');
  });
});

describe('audit catalogue', () => {
  it('makes an unknown kind a type error', () => {
    // @ts-expect-error 'view.begun' is not in the catalogue
    const unknown: AuditDraft = { ...draft, kind: 'view.begun' };
    assert.equal(isAuditKind(unknown.kind), false);
    assert.equal(isAuditKind('view.started'), true);
  });

  it('exports the columns it always did, and the hash format after them', () => {
    assert.deepEqual(CSV_HEADER, ['id', 'at', 'kind', 'actor', 'actor_role', 'zone', 'address', 'user_agent', 'outcome', 'detail', 'hash', 'hash_version']);
  });
});
