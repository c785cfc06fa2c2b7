import type { AccountRole, GrantView, KeyView, UserView } from '../../../shared/index.ts';
import type { ApiKeyRecord, GrantRecord, UserRecord } from '../../store/types.ts';

import { isoOrNull as iso } from '../../util/iso.ts';

/** Never the password hash. */
export const userView = (u: UserRecord): UserView => ({
  id: u.id, username: u.username, role: u.role as AccountRole, disabled: u.disabled, createdAt: iso(u.createdAt)!,
});

export const grantView = (g: GrantRecord, username: string): GrantView => ({
  id: g.id, userId: g.userId, username, pattern: g.pattern, control: g.control, expiresAt: iso(g.expiresAt), createdAt: iso(g.createdAt)!, createdBy: g.createdBy,
});

/** Never the key or its hash. */
export const keyView = (k: ApiKeyRecord): KeyView => ({
  id: k.id, label: k.label, zonePattern: k.zonePattern, prefix: k.prefix, createdAt: iso(k.createdAt)!,
  createdBy: k.createdBy, revokedAt: iso(k.revokedAt), lastUsedAt: iso(k.lastUsedAt),
});

export { iso };
