// `npm run docs:config`: regenerates docs/configuration.md from the configuration schema.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './lib/prepare.mjs';

const code = `import { writeFileSync } from 'node:fs';
import { renderConfigurationDoc } from './src/server/config/configText.ts';
writeFileSync('docs/configuration.md', renderConfigurationDoc());
console.log('wrote docs/configuration.md');`;
const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
