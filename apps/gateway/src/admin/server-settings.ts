/** Server-wide settings (client addresses, logins from non-clients, hide unknown account, lockout defaults...). */
import { serverSettingsView, updateServerWith } from '../commands/server.js';
import { canManageServer, requireThat } from './access.js';
import type { Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import { asAdminError, badRequest } from './errors.js';
import { jsonAssignments } from './json-settings.js';

export async function getServerSettings(deps: AdminDeps, caller: Caller): Promise<{ settings: Record<string, unknown>; mainDomain: string }> {
  requireThat(canManageServer(caller), 'Settings');
  return { settings: await serverSettingsView(deps), mainDomain: deps.config.mainDomain };
}

export async function updateServerSettings(deps: AdminDeps, caller: Caller, settings: Record<string, unknown>): Promise<{ settings: Record<string, unknown>; mainDomain: string }> {
  requireThat(canManageServer(caller), 'Settings');
  try {
    const assignments = jsonAssignments('server', settings);
    if (assignments.length === 0) throw badRequest('nothing to change');
    await updateServerWith(deps, assignments);
  } catch (err) {
    throw asAdminError(err);
  }
  return getServerSettings(deps, caller);
}
