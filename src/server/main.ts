import { renderHelp } from './config/configText.ts';
import { ConfigError, loadConfig } from './config/loadConfig.ts';
import { renderBanner } from './banner.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { describeFailure, exitOnUnhandledRejection } from './processGuards.ts';

/** Start-up failures a person can fix are one sentence and a non-zero exit, never a stack trace. */
function fail(message: string, code = 1): never {
  process.stderr.write(`vigil: ${message}\n`);
  process.exit(code);
}

function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `Port ${port} is already in use on ${host}; stop the other program or choose another port with --port or VIGIL_PORT.`;
    case 'EACCES':
      return `Not allowed to listen on ${host}:${port}; use a port above 1023 or run with the needed privilege.`;
    case 'EADDRNOTAVAIL':
      return `The address ${host} is not on this machine; choose another with --host or VIGIL_HOST.`;
    default:
      return `Cannot listen on ${host}:${port}: ${error.message}.`;
  }
}

async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    throw error;
  }
  if (loaded.help) {
    process.stdout.write(`${renderHelp()}\n`);
    return;
  }
  const { config } = loaded;
  let gateway: Gateway;
  try {
    gateway = await createGateway(config);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    fail(`Cannot start: ${(error as Error).message}.`);
  }
  logger = gateway.logger;
  const shutdown = (signal: NodeJS.Signals): void => {
    gateway.logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      gateway.logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceSeconds * 1000);
    deadline.unref();
    void gateway.close().then(() => process.exit(0));
  };
  // Installed before listening: a SIGTERM during start-up also drains and exits cleanly.
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  try {
    const address = await gateway.listen();
    process.stdout.write(renderBanner(address, gateway.tls, gateway.webBundle, gateway.firstAdmin));
  } catch (error) {
    const errno = error as NodeJS.ErrnoException;
    fail(errno.syscall === 'listen' ? describeListenError(errno, config.host, config.port) : `Cannot start: ${errno.message}.`);
  }
}

let logger: Gateway['logger'] | null = null;
exitOnUnhandledRejection(process, (reason) => {
  logger?.fatal({ err: reason }, 'unhandled rejection: exiting');
  process.stderr.write(`vigil: unexpected failure, exiting: ${describeFailure(reason)}\n`);
});

await main();
