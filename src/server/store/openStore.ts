import type { GatewayConfig } from '../config/configSchema.ts';
import type { Logger } from '../observability/logger.ts';
import { openPostgresStore } from './postgres/openPostgresStore.ts';
import { openSqliteStore } from './sqlite/openSqliteStore.ts';
import type { Store } from './types.ts';

/**
 * The store the configuration names: PostgreSQL when `database.url` is set, else SQLite in
 * `dataDir`. `logger` hears of PostgreSQL connections lost while idle.
 */
export async function openStore(config: Pick<GatewayConfig, 'dataDir' | 'database'>, logger?: Logger): Promise<Store> {
  if (config.database.url) return openPostgresStore(config.database.url, logger);
  return openSqliteStore(config.dataDir);
}
