/**
 * The listeners of this gateway with their Grant/Deny lists: the config file's, overridden at run
 * time through the server settings (listener-access.ts).
 */
import { canManageServer, requireThat } from './access.js';
import type { Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import { guarded } from './errors.js';
import { changeListenerAccess, listenerAccessViews, type ListenerAccessChange, type ListenerAccessView } from './listener-access.js';

export type ListenerView = ListenerAccessView;

export async function listListeners(deps: AdminDeps, caller: Caller): Promise<ListenerView[]> {
  requireThat(canManageServer(caller), 'Settings');
  return guarded(() => listenerAccessViews(deps));
}

/**
 * Set or clear a listener's Grant/Deny override. Every worker and instance applies it to the
 * connections it accepts from then on (open sessions are not touched).
 */
export async function updateListener(deps: AdminDeps, caller: Caller, name: string, change: ListenerAccessChange): Promise<ListenerView> {
  requireThat(canManageServer(caller), 'Settings');
  return guarded(() => changeListenerAccess(deps, name, change));
}
