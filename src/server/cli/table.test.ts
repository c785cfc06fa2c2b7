import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTable } from './table.ts';

describe('formatTable', () => {
  it('heads the columns and aligns every cell under its header', () => {
    assert.deepEqual(formatTable(['ID', 'USERNAME', 'ROLE'], [['1', 'admin', 'admin'], ['12', 'nina', 'operator']]), [
      'ID  USERNAME  ROLE',
      '1   admin     admin',
      '12  nina      operator',
    ]);
  });

  it('prints only the header when there are no rows', () => {
    assert.deepEqual(formatTable(['ID', 'LABEL'], []), ['ID  LABEL']);
  });
});
