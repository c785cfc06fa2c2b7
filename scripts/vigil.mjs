#!/usr/bin/env node
// `npx vigil <command>` or `npm run vigil -- <command>`: the administration CLI (people, grants, camera keys, audit trail).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDependencies, root } from './lib/prepare.mjs';

ensureDependencies((line) => process.stderr.write(`vigil: ${line}\n`));
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/server/cli/vigil.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
