import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './loadConfig.ts';

describe('loadConfig', () => {
  it('uses defaults, then environment, then flags', () => {
    assert.equal(loadConfig([], {}).config.port, 8443);
    assert.equal(loadConfig([], {}).config.host, '0.0.0.0');
    assert.equal(loadConfig([], { PORT: '9000', HOST: '127.0.0.1' }).config.port, 9000);
    const both = loadConfig(['--port', '9100', '--host', '::1'], { PORT: '9000', HOST: '127.0.0.1', DATA_DIR: '/var/lib/vigil' }).config;
    assert.deepEqual([both.port, both.host, both.dataDir], [9100, '::1', '/var/lib/vigil']);
  });

  it('freezes the result', () => {
    const { config } = loadConfig([], {});
    assert.throws(() => { (config as { port: number }).port = 1; }, TypeError);
  });

  it('ends with one sentence naming the bad value', () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['--port', 'http'], {}, /--port must be a port number/],
      [[], { PORT: '99999' }, /Invalid configuration "port"/],
      [['--bogus'], {}, /Unknown option '--bogus'.*--help/],
      [['--log-level', 'loud'], {}, /Invalid configuration "logLevel"/],
      [['--tls-cert', '/x.pem'], {}, /tlsCert and tlsKey must be given together/],
    ];
    for (const [argv, env, message] of cases) {
      assert.throws(() => loadConfig(argv, env), (error: unknown) => error instanceof ConfigError && message.test(error.message) && !error.message.includes('\n'));
    }
  });
});
