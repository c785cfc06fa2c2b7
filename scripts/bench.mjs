// `npm run bench [part ...]`: prepare like `npm test`, then run the benchmark parts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureTestPackages } from './lib/debianPackages.mjs';
import { ensureDependencies, ensureWebBundle, root } from './lib/prepare.mjs';

const log = (line) => process.stderr.write(`vigil: ${line}\n`);
ensureDependencies(log);
ensureTestPackages(log);
ensureWebBundle(log);
const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(root, 'bench', 'main.ts'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
