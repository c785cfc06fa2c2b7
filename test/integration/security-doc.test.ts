import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AUDIT_KINDS } from '../../src/shared/index.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'security.md'), 'utf8');

describe('docs/security.md matches the code', () => {
  it('has the audit kinds of the catalogue, row for row', () => {
    const section = doc.slice(doc.indexOf('## Audit trail'), doc.indexOf('\n## ', doc.indexOf('## Audit trail') + 1));
    const rows = [...section.matchAll(/^\| `([a-z.]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    assert.deepEqual(rows, Object.entries(AUDIT_KINDS));
  });
});
