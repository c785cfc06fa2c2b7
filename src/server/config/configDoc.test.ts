import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderConfigurationDoc } from './configText.ts';
import { OPTION_FIELDS } from './optionFields.ts';

const DOC = join(import.meta.dirname, '..', '..', '..', 'docs', 'configuration.md');

describe('docs/configuration.md', () => {
  it('is exactly what the schema generates (run `npm run docs:config` after changing an option)', () => {
    assert.equal(readFileSync(DOC, 'utf8'), renderConfigurationDoc());
  });

  it('documents every option with its environment variable', () => {
    const doc = renderConfigurationDoc();
    for (const field of OPTION_FIELDS) assert.ok(doc.includes(`| \`${field.key}\` |`) && doc.includes(`\`${field.env}\``), field.key);
  });
});
