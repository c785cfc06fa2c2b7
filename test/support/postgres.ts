import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresBinDir } from '../../scripts/lib/debianPackages.mjs';
import { freePort, waitForPort } from './ports.ts';

export interface Postgres {
  port: number;
  /** A fresh, empty database on this server, as a connection URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root, its programs run as Debian's `postgres` user. */
function asServerUser(): { prefix: string[]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) throw new Error('the postgres user is missing: install Debian\'s postgresql package');
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid: Number(id.stdout), gid: Number(gid.stdout) };
}

let databases = 0;

/**
 * Debian's PostgreSQL on a free loopback port, in a throw-away cluster (trust auth on loopback
 * only; fsync off because the cluster dies with the test).
 */
export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: run `apt-get install -y postgresql` (npm test does this as root)');
  const user = asServerUser();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
  const data = join(dir, 'data');
  const init = spawnSync(user.prefix[0] ?? join(bin, 'initdb'), [...user.prefix.slice(1), ...(user.prefix.length ? [join(bin, 'initdb')] : []), '-D', data, '-U', 'vigil', '--auth=trust', '-E', 'UTF8', '--no-sync'], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const args = [join(bin, 'postgres'), '-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const command = [...user.prefix, ...args];
  // Its own process group, so the signal reaches postgres through runuser.
  const child: ChildProcess = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, 20_000).catch((error: unknown) => {
    process.kill(-child.pid!, 'SIGKILL');
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
  });
  const admin = `postgres://vigil@127.0.0.1:${port}/postgres`;
  // The port opens before the server accepts sessions ("the database system is starting up").
  for (let tries = 0; ; tries += 1) {
    const client = new pg.Client({ connectionString: admin });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (tries > 100) throw new Error(`PostgreSQL never accepted a session: ${(error as Error).message}\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    port,
    async createDatabase() {
      const name = `vigil_${process.pid}_${(databases += 1)}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://vigil@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      const signal = (name: NodeJS.Signals) => { try { process.kill(-child.pid!, name); } catch { /* already gone */ } };
      signal('SIGINT'); // fast shutdown
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      signal('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

