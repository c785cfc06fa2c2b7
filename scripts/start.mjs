// `npm start`: install what is missing, build what is stale, then run the gateway.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDependencies, ensureWebBundle, root } from './lib/prepare.mjs';

const log = (line) => process.stderr.write(`vigil: ${line}\n`);
ensureDependencies(log);
ensureWebBundle(log);

const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/server/main.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
