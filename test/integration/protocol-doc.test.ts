import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLIENT_EVENT_NAMES, errorCatalogue } from '../../src/shared/index.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'protocol.md'), 'utf8');

describe('docs/protocol.md matches the code', () => {
  it('has the error table of the catalogue, row for row', () => {
    const section = doc.slice(doc.indexOf('## Error codes'));
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| (.+) \|$/gm)].map((m) => [m[1], Number(m[2]), m[3]]);
    const expected = Object.entries(errorCatalogue).map(([code, info]) => [code, info.httpStatus, info.meaning]);
    assert.deepEqual(rows, expected);
  });

  it('documents every client event', () => {
    for (const event of CLIENT_EVENT_NAMES) assert.match(doc, new RegExp(`^\\| \`${event}\` \\|`, 'm'), event);
  });
});
