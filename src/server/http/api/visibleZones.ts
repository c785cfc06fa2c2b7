import { grantCovers } from '../../access/LiveAccess.ts';
import type { Store } from '../../store/types.ts';
import type { UserPrincipal } from './context.ts';

/**
 * Which zones a signed-in person may watch now, for API answers that name zones (walls,
 * thumbnails). From the store, not LiveAccess's cache: that holds only people with a live connection.
 */
export async function zonesVisibleTo(store: Store, principal: UserPrincipal): Promise<(zone: string) => boolean> {
  if (principal.role === 'admin') return () => true;
  const now = Date.now();
  const grants = await store.grants.ofUser(principal.userId);
  return (zone) => grants.some((g) => grantCovers(g, zone, now));
}
