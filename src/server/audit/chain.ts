import { createHash } from 'node:crypto';
import type { AuditDraft } from '../store/types.ts';

/** The previous hash of the very first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of one entry: SHA-256 over its previous entry's hash and every field, as a JSON array
 * (unambiguous: no field can bleed into the next). Editing any field, or removing or reordering an
 * entry, breaks the chain from there on.
 */
export function entryHash(prevHash: string, at: string, draft: AuditDraft): string {
  const fields = [
    prevHash, at, draft.kind, draft.actor, draft.actorRole, draft.zone,
    draft.address, draft.userAgent, draft.outcome, JSON.stringify(draft.detail),
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
