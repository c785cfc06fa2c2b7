import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const UNIT = join(ROOT, 'deploy', 'vigil.service');

function analyze(...args: string[]) {
  return spawnSync('systemd-analyze', args, { encoding: 'utf8' });
}

/** `key=value` lines of the unit, in order (a key may repeat). */
function directives(text: string): [string, string][] {
  return text.split('\n').filter((l) => /^[A-Za-z]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}

describe('deploy/vigil.service', () => {
  it('passes `systemd-analyze verify` with no warning, and a broken copy does not', () => {
    const ok = analyze('verify', UNIT);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stderr.trim(), '', 'no warnings');

    const broken = join(mkdtempSync(join(tmpdir(), 'vigil-unit-')), 'vigil.service');
    writeFileSync(broken, readFileSync(UNIT, 'utf8').replace('ProtectSystem=strict', 'ProtectSystem=strictly'));
    const bad = analyze('verify', broken);
    assert.match(bad.stderr, /protect system value/i, 'the check does look at the hardening directives');
  });

  it('is hardened: dedicated user, no new privileges, read-only system, the data directory its only writable place', () => {
    const unit = directives(readFileSync(UNIT, 'utf8'));
    const value = (key: string) => unit.filter(([k]) => k === key).map(([, v]) => v);
    assert.deepEqual(value('User'), ['vigil']);
    assert.deepEqual(value('NoNewPrivileges'), ['yes']);
    assert.deepEqual(value('ProtectSystem'), ['strict']);
    assert.deepEqual(value('ProtectHome'), ['yes']);
    assert.deepEqual(value('StateDirectory'), ['vigil']);
    assert.deepEqual(value('CapabilityBoundingSet'), ['']);
    assert.deepEqual(value('ReadWritePaths'), [], 'nothing writable besides StateDirectory');
    assert.ok(value('Environment').includes('VIGIL_DATA_DIR=/var/lib/vigil'), 'the gateway writes where StateDirectory points');
    assert.deepEqual(value('KillSignal'), ['SIGTERM']);
    // The unit runs main.ts from WorkingDirectory: that file must be where it says.
    assert.ok(value('ExecStart')[0]!.endsWith('src/server/main.ts'));
    assert.ok(existsSync(join(ROOT, 'src', 'server', 'main.ts')));
  });

  it('scores "OK" (exposure ≤ 2.0) in `systemd-analyze security`', () => {
    assertExposureOk(UNIT, 'vigil.service');
  });
});

function assertExposureOk(unit: string, name: string): void {
  const result = analyze('security', '--offline=yes', unit);
  const score = Number(new RegExp(`Overall exposure level for ${name.replace('.', '\\.')}: ([\\d.]+)`).exec(result.stdout)?.[1]);
  assert.ok(score > 0 && score <= 2, `exposure ${score}\n${result.stdout.split('\n').filter((l) => l.startsWith('✗')).join('\n')}`);
}

describe('deploy/vigil-edge.service', () => {
  const EDGE = join(ROOT, 'deploy', 'vigil-edge.service');
  it('passes `systemd-analyze verify` with no warning and scores "OK" in `systemd-analyze security`', () => {
    const ok = analyze('verify', EDGE);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stderr.trim(), '', 'no warnings');
    assertExposureOk(EDGE, 'vigil-edge.service');
  });

  it('is the gateway\'s hardening with nothing writable at all, and runs the edge node with its config', () => {
    const unit = directives(readFileSync(EDGE, 'utf8'));
    const value = (key: string) => unit.filter(([k]) => k === key).map(([, v]) => v);
    const gateway = directives(readFileSync(UNIT, 'utf8'));
    const hardening = ([key]: [string, string]) => /^(Protect|Private|Restrict|SystemCall|NoNew|Capability|Lock|Memory)/.test(key);
    assert.deepEqual(unit.filter(hardening), gateway.filter(hardening), 'the same hardening as the gateway');
    assert.deepEqual(value('User'), ['vigil']);
    assert.deepEqual(value('StateDirectory'), [], 'it keeps nothing');
    assert.deepEqual(value('ReadWritePaths'), []);
    assert.ok(value('ExecStart')[0]!.endsWith('src/edge/main.ts --config /etc/vigil/edge.yaml'));
    assert.ok(existsSync(join(ROOT, 'src', 'edge', 'main.ts')));
  });
});
