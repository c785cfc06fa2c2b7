import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { httpsRequestTo } from '../support/http.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'server', 'main.ts');

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the real entry point; stops it with SIGTERM once `until` matches its output. */
function runMain(args: string[], env: NodeJS.ProcessEnv = {}, until?: RegExp): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, VIGIL_LOG_LEVEL: 'warn', ...env } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (until?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** The banner is complete once its last rule follows the web-bundle line. */
const BANNER_END = /Web bundle: .*\n=+\n/;

const oneSentence = (text: string) => text.trim().split('\n').length === 1 && !/\n\s+at /.test(text);

describe('start-up', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-start-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('makes a self-signed certificate on first start, prints the banner, and reuses it afterwards', async () => {
    const first = await runMain(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {}, BANNER_END);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Hostname: /);
    assert.match(first.stdout, /Listening:  127\.0\.0\.1:\d+/);
    assert.match(first.stdout, /https:\/\/127\.0\.0\.1:\d+/);
    assert.match(first.stdout, /TLS:\s+enabled \(self-signed certificate created in/);
    assert.match(first.stdout, /WebSocket:\s+ready/);
    const password = first.stdout.match(/First admin: admin {2}password: (\S+)/)?.[1];
    assert.ok(password && password.length >= 20, 'a generated first-admin password is printed once');
    assert.doesNotMatch(first.stderr, new RegExp(password), 'and never logged');
    const pem = readFileSync(join(dataDir, 'tls-cert.pem'), 'utf8');
    const san = new X509Certificate(pem).subjectAltName ?? '';
    assert.match(san, /DNS:localhost/);
    assert.match(san, /IP Address:127\.0\.0\.1/);

    // The second start takes everything from a config file.
    const file = join(dataDir, 'vigil.yaml');
    writeFileSync(file, `host: 127.0.0.1\nport: 0\ndataDir: ${JSON.stringify(dataDir)}\n`);
    const second = await runMain([], { VIGIL_CONFIG: file }, BANNER_END);
    assert.equal(second.code, 0);
    assert.match(second.stdout, /TLS:\s+enabled \(self-signed certificate .*tls-cert\.pem\)/);
    assert.doesNotMatch(second.stdout, /created/);
    assert.doesNotMatch(second.stdout, /First admin/, 'the password is shown only at the start that made it');
    assert.equal(readFileSync(join(dataDir, 'tls-cert.pem'), 'utf8'), pem, 'the certificate is reused');
  });

  it('ends with one sentence when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const run = await runMain(['--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir]);
    blocker.close();
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim(), `vigil: Port ${port} is already in use on 127.0.0.1; stop the other program or choose another port with --port or VIGIL_PORT.`);
  });

  it('a first start that fails (the port is busy) loses no admin password: the next start makes and prints it', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'vigil-first-'));
    try {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const { port } = blocker.address() as { port: number };
      const failed = await runMain(['--port', String(port), '--host', '127.0.0.1', '--data-dir', fresh]);
      blocker.close();
      assert.equal(failed.code, 1);
      assert.doesNotMatch(failed.stdout, /First admin/);
      const started = await runMain(['--port', '0', '--host', '127.0.0.1', '--data-dir', fresh], {}, BANNER_END);
      const password = started.stdout.match(/First admin: admin {2}password: (\S+)/)?.[1];
      assert.ok(password, `the second start prints the first admin's password:\n${started.stdout}`);
      // That password signs in: the account the banner names is the one in the store.
      const again = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--host', '127.0.0.1', '--data-dir', fresh], { env: { ...process.env, VIGIL_LOG_LEVEL: 'warn' } });
      try {
        const listening = await new Promise<number>((resolve, reject) => {
          let out = '';
          again.stdout.on('data', (chunk: Buffer) => {
            out += chunk;
            const match = /Listening:\s+\S+:(\d+)/.exec(out);
            if (match && BANNER_END.test(out)) resolve(Number(match[1]));
          });
          again.on('exit', () => reject(new Error(out)));
        });
        const login = await httpsRequestTo(`https://127.0.0.1:${listening}/api/auth/login`, { body: { username: 'admin', password } });
        assert.equal(login.status, 200, login.body);
      } finally {
        again.kill('SIGTERM');
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('ends with one sentence for a bad flag, a bad environment value and an unreadable certificate', async () => {
    const badFlag = await runMain(['--prot', '9000']);
    assert.equal(badFlag.code, 2);
    assert.ok(oneSentence(badFlag.stderr), badFlag.stderr);
    assert.match(badFlag.stderr, /Unknown option --prot\. Run with --help/);

    const badEnv = await runMain([], { VIGIL_PORT: 'eighty' });
    assert.equal(badEnv.code, 2);
    assert.equal(badEnv.stderr.trim(), 'vigil: "port" from VIGIL_PORT must be a number, not "eighty".');

    const typo = join(dataDir, 'typo.yaml');
    writeFileSync(typo, 'port: 0\nsession:\n  idleMinuts: 5\n');
    const badFile = await runMain(['--config', typo]);
    assert.equal(badFile.code, 2);
    assert.equal(badFile.stderr.trim(), `vigil: Unknown configuration key "session.idleMinuts" in ${typo}; see docs/configuration.md for the options.`);

    const garbage = join(dataDir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    for (const [cert, expected] of [
      ['/nonexistent/cert.pem', /Cannot read the TLS certificate "\/nonexistent\/cert\.pem": ENOENT/],
      [garbage, /The TLS certificate ".*garbage\.pem" is not a PEM certificate\./],
    ] as const) {
      const run = await runMain(['--port', '0', '--tls-cert', cert, '--tls-key', garbage]);
      assert.notEqual(run.code, 0);
      assert.ok(oneSentence(run.stderr), run.stderr);
      assert.match(run.stderr, expected);
    }
  });

  it('prints usage for --help', async () => {
    const run = await runMain(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--port <number>/);
  });
});
