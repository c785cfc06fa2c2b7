#!/usr/bin/env node
// `npx vigil <command>` or `npm run vigil -- <command>`: the administration CLI (people, grants, camera keys, audit trail);
// `npx vigil edge --config edge.yaml …`: a headless edge node at a site (as `npm run edge -- …`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDependencies, root } from './lib/prepare.mjs';

ensureDependencies((line) => process.stderr.write(`vigil: ${line}\n`));
const [command, ...rest] = process.argv.slice(2);
const [entry, args] = command === 'edge' ? ['src/edge/main.ts', rest] : ['src/server/cli/vigil.ts', process.argv.slice(2)];
const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry), ...args], { stdio: 'inherit' });
// An edge node under a service manager stops on SIGTERM: it unpublishes and stops its ffmpeg first.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
