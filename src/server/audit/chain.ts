import { createHash } from 'node:crypto';
import { AUDIT_FIELDS, hashFormatOf, type AnyAuditField, type AuditEntry } from '../../shared/auditCatalogue.ts';

/** The previous hash of the very first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** An entry as the store is about to write it: everything but its id and its own hash. */
export type HashInput = Omit<AuditEntry, 'id' | 'hash'>;

export const isKnownHashFormat = (version: number, fields: readonly AnyAuditField[] = AUDIT_FIELDS): boolean =>
  Number.isInteger(version) && version >= 1 && version <= hashFormatOf(fields);

/**
 * The hash of one entry: SHA-256 over a JSON array of the fields its format covers, as their
 * columns hold them (unambiguous: no field can bleed into the next). The entry names its format,
 * so a field added later does not change the hash of entries written before it; changing the
 * format an entry names changes the array, so that is caught like any other edit.
 */
export function entryHash(entry: HashInput, fields: readonly AnyAuditField[] = AUDIT_FIELDS): string {
  const version = entry.hashVersion;
  if (!isKnownHashFormat(version, fields)) throw new RangeError(`unknown audit hash format ${version}`);
  const values = entry as unknown as Record<string, unknown>;
  const input = fields.filter((f) => f.hashedSince !== undefined && f.hashedSince <= version).map((f) => f.toColumn(values[f.key]));
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBadId: number | null;
  reason: string | null;
}

export interface ChainEnds {
  /** Id and hash of the last pruned entry (null if never pruned). */
  anchor: { lastId: number; lastHash: string } | null;
  /** Id and hash of the newest entry ever appended, moved with every append. */
  head: { lastId: number; lastHash: string } | null;
}

/**
 * Walks the chain from the anchor (or genesis): every entry must name its predecessor's hash,
 * hash to what it says under the format it names, and ids must not skip (a deleted entry). It
 * must end at the head (else the newest entries were deleted), and the last prune entry must
 * agree with the anchor, so the anchor cannot be moved silently either.
 */
export async function verifyChain(
  entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>, { anchor, head }: ChainEnds, fields: readonly AnyAuditField[] = AUDIT_FIELDS,
): Promise<VerifyResult> {
  let expectedPrev = anchor?.lastHash ?? GENESIS_HASH;
  let expectedId = anchor ? anchor.lastId + 1 : 1;
  let checked = 0;
  let lastPrune: AuditEntry | null = null;
  const bad = (id: number, reason: string): VerifyResult => ({ ok: false, checked, firstBadId: id, reason });
  for await (const entry of entries) {
    if (entry.id !== expectedId) return bad(entry.id, `entry ${expectedId} is missing`);
    if (entry.prevHash !== expectedPrev) return bad(entry.id, 'does not chain from the entry before it');
    if (!isKnownHashFormat(entry.hashVersion, fields)) return bad(entry.id, `names an unknown hash format (${entry.hashVersion})`);
    if (entryHash(entry, fields) !== entry.hash) return bad(entry.id, 'content does not match its hash (edited)');
    if (entry.kind === 'audit.pruned') lastPrune = entry;
    expectedPrev = entry.hash;
    expectedId += 1;
    checked += 1;
  }
  if (head && (expectedId - 1 !== head.lastId || expectedPrev !== head.lastHash)) {
    return bad(expectedId, expectedId - 1 < head.lastId ? `entries ${expectedId} to ${head.lastId} are missing (the newest were deleted)` : 'the chain does not end at the recorded head');
  }
  if (anchor && (lastPrune === null || lastPrune.detail.upToId !== anchor.lastId || lastPrune.detail.anchorHash !== anchor.lastHash)) {
    return bad(anchor.lastId, 'the prune anchor does not match the last prune entry');
  }
  return { ok: true, checked, firstBadId: null, reason: null };
}
