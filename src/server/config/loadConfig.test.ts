import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { MASK, renderEffectiveConfig } from './configText.ts';
import { ConfigError, loadConfig } from './loadConfig.ts';
import { OPTION_FIELDS } from './optionFields.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function refused(argv: string[], env: NodeJS.ProcessEnv, message: RegExp): void {
  assert.throws(() => loadConfig(argv, env), (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, message);
    assert.ok(!error.message.includes('\n'), 'one line');
    return true;
  });
}

describe('configuration layers', () => {
  it('defaults < file < environment < flags', () => {
    assert.equal(loadConfig([], {}).config.port, 8443);
    const yaml = file('layers.yaml', 'port: 9000\nhost: 10.0.0.1\ndataDir: /srv/vigil\nsession:\n  idleMinutes: 10\n');
    const fromFile = loadConfig(['--config', yaml], {}).config;
    assert.deepEqual([fromFile.port, fromFile.host, fromFile.dataDir, fromFile.session.idleMinutes, fromFile.session.lifetimeHours], [9000, '10.0.0.1', '/srv/vigil', 10, 12]);
    const fromEnv = loadConfig([], { VIGIL_CONFIG: yaml, VIGIL_PORT: '9100', VIGIL_SESSION_IDLE_MINUTES: '20' }).config;
    assert.deepEqual([fromEnv.port, fromEnv.host, fromEnv.session.idleMinutes], [9100, '10.0.0.1', 20]);
    const fromFlags = loadConfig(['--port', '9200', '--session-idle-minutes', '25'], { VIGIL_CONFIG: yaml, VIGIL_PORT: '9100' }).config;
    assert.deepEqual([fromFlags.port, fromFlags.host, fromFlags.session.idleMinutes], [9200, '10.0.0.1', 25]);
  });

  it('reads JSON files, lists and JSON values from the environment', () => {
    const json = file('c.json', JSON.stringify({ allowedOrigins: ['https://wall.example.city'], turn: { urls: ['turn:t.example:3478'], secret: 'a-secret-of-16-chars+' } }));
    const config = loadConfig(['--config', json], {
      VIGIL_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8',
      VIGIL_ICE_SERVERS: '[{"urls":"stun:stun.example:3478"}]',
      VIGIL_TURN_TTL_SECONDS: '600',
    }).config;
    assert.deepEqual(config.allowedOrigins, ['https://wall.example.city']);
    assert.deepEqual(config.trustedProxies, ['127.0.0.1', '10.0.0.0/8']);
    assert.deepEqual(config.iceServers, [{ urls: 'stun:stun.example:3478' }]);
    assert.deepEqual(config.turn, { urls: ['turn:t.example:3478'], secret: 'a-secret-of-16-chars+', ttlSeconds: 600 });
  });

  it('is frozen all the way down', () => {
    const { config } = loadConfig([], {});
    assert.throws(() => { (config as { port: number }).port = 1; }, TypeError);
    assert.throws(() => { (config.session as { idleMinutes: number }).idleMinutes = 1; }, TypeError);
  });

  it('ends with one sentence naming the key and where it came from', () => {
    refused(['--port', 'http'], {}, /^"port" from --port must be a number, not "http"\.$/);
    refused([], { VIGIL_PORT: '99999' }, /^Invalid configuration "port" \(from VIGIL_PORT\): Too big/);
    refused(['--bogus'], {}, /^Unknown option --bogus\. Run with --help/);
    refused(['--log-level', 'loud'], {}, /^Invalid configuration "logLevel" \(from --log-level\)/);
    refused(['--tls-cert', '/x.pem'], {}, /tlsCert and tlsKey must be given together/);
    refused([], { VIGIL_PROT: '1' }, /^Unknown environment variable VIGIL_PROT;/);
    refused(['--turn-secret', 'x'], {}, /^--turn-secret is not accepted: "turn\.secret" is a secret.*VIGIL_TURN_SECRET/);
    refused(['--config', join(dir, 'missing.yaml')], {}, /^Cannot read the configuration file .*missing\.yaml: it does not exist\.$/);
    const typo = file('typo.yaml', 'turn:\n  urls: [turn:a:3478]\n  secert: x\n');
    refused(['--config', typo], {}, new RegExp(`^Unknown configuration key "turn\\.secert" in ${typo.replace(/[.]/g, '\\.')};`));
    const wrongType = file('wrong.yaml', 'session:\n  idleMinutes: soon\n');
    refused(['--config', wrongType], {}, /^Invalid configuration "session\.idleMinutes" \(from .*wrong\.yaml\): Invalid input: expected number, received string\.$/);
    refused(['--config', file('broken.yaml', 'port: [1\n')], {}, /is not valid YAML or JSON: .*line 2/);
    refused(['--config', file('list.yaml', '- 1\n')], {}, /must hold a mapping of options, not a list/);
    refused([], { VIGIL_TURN_URLS: 'turn:a:3478' }, /^Missing configuration "turn\.secret": it is required when "turn" is set; give it in the config file or VIGIL_TURN_SECRET\.$/);
    refused([], { VIGIL_ICE_SERVERS: '[{' }, /^"iceServers" from VIGIL_ICE_SERVERS must be JSON/);
  });

  it('prints the effective configuration with every secret masked', () => {
    const yaml = file('secrets.yaml', 'turn:\n  urls: [turn:a:3478]\n  secret: turn-secret-value-1234\nmetrics:\n  token: metrics-token-value-123456789\niceServers:\n  - urls: turn:b:3478\n    username: u\n    credential: ice-credential-value\ncameras:\n  - zone: CBD-POLE-7\n    name: Pole 7\n    url: rtsp://10.0.0.7/stream1\n    username: viewer\n    password: camera-password-value\n');
    const text = renderEffectiveConfig(loadConfig(['--config', yaml], { VIGIL_ADMIN_PASSWORD: 'admin-password-value' }).config);
    for (const secret of ['turn-secret-value-1234', 'metrics-token-value-123456789', 'ice-credential-value', 'admin-password-value', 'camera-password-value']) {
      assert.ok(!text.includes(secret), `${secret} is masked`);
    }
    const printed = parse(text);
    assert.equal(printed.turn.secret, MASK);
    assert.equal(printed.metrics.token, MASK);
    assert.equal(printed.adminPassword, MASK);
    assert.equal(printed.iceServers[0].credential, MASK);
    assert.equal(printed.cameras[0].password, MASK);
    assert.equal(printed.cameras[0].transport, 'tcp');
    assert.equal(printed.port, 8443);
  });

  it('gives every option an environment name, and a flag unless it is or holds a secret', () => {
    const envs = new Set(OPTION_FIELDS.map((f) => f.env));
    assert.equal(envs.size, OPTION_FIELDS.length, 'environment names are unique');
    for (const field of OPTION_FIELDS) {
      assert.match(field.env, /^VIGIL_[A-Z0-9_]+$/);
      assert.equal(field.flag === undefined, field.meta.secret === true || field.meta.holdsSecrets === true, field.key);
    }
    // The cameras' passwords: from the file or the environment, never a command line.
    assert.equal(OPTION_FIELDS.find((f) => f.key === 'cameras')?.flag, undefined);
    assert.throws(() => loadConfig(['--cameras', '[]'], {}), /cameras/);
  });
});
