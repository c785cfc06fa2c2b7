import type { GatewayConfig } from '../config/configSchema.ts';
import { openSqliteStore } from './sqlite/openSqliteStore.ts';
import type { Store } from './types.ts';

/** The store the configuration names: the embedded SQLite file in `dataDir` by default. */
export async function openStore(config: GatewayConfig): Promise<Store> {
  return openSqliteStore(config.dataDir);
}
