import type { GatewayConfig } from '../config/configSchema.ts';
import { openPostgresStore } from './postgres/openPostgresStore.ts';
import { openSqliteStore } from './sqlite/openSqliteStore.ts';
import type { Store } from './types.ts';

/** The store the configuration names: PostgreSQL when `database.url` is set, else SQLite in `dataDir`. */
export async function openStore(config: Pick<GatewayConfig, 'dataDir' | 'database'>): Promise<Store> {
  if (config.database.url) return openPostgresStore(config.database.url);
  return openSqliteStore(config.dataDir);
}
