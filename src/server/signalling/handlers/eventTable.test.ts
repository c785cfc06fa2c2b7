import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CLIENT_EVENT_NAMES, clientEvents } from '../../../shared/index.ts';
import type { Handler } from '../types.ts';
import { handlers } from './index.ts';

// Checked by the type-check test (test/typecheck.test.ts): each line below must be a type error,
// so a handler that answers with another event's reply, or none of its own, does not compile.
// @ts-expect-error a publish is answered with its PublishResult, not a bare ok
export const missingFields: Handler<'camera:publish'> = () => ({ ok: true });
// @ts-expect-error zone:watch answers with a WatchResult: `resumed` belongs to it
export const wrongReply: Handler<'zone:watch'> = () => ({ ok: true, zone: 'Z-1', state: 'live', replacedStaleSession: false });

it('every event in the shared table has exactly one handler, and every event names who may send it', () => {
  assert.deepEqual(Object.keys(handlers).sort(), [...CLIENT_EVENT_NAMES].sort());
  for (const name of CLIENT_EVENT_NAMES) assert.ok(clientEvents[name].roles.length > 0, name);
});
