/** The listeners of this gateway with their Grant/Deny lists (from the config file). */
import { canManageServer, requireThat } from './access.js';
import type { Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import { AdminError } from './errors.js';

export interface ListenerView {
  /** service:port, unique per gateway */
  name: string;
  service: string;
  address: string;
  port: number;
  tls: string;
  grant: string[];
  deny: string[];
}

export function listListeners(deps: AdminDeps, caller: Caller): ListenerView[] {
  requireThat(canManageServer(caller), 'Settings');
  return deps.config.listeners.map((l) => ({
    name: `${l.service}:${l.port}`,
    service: l.service,
    address: l.address ?? '127.0.0.1',
    port: l.port,
    tls: l.tls ?? 'none',
    grant: l.grant ?? [],
    deny: l.deny ?? [],
  }));
}

/**
 * Grant/Deny are read from the config file when a listener starts (they are checked before the
 * first byte, in every worker); changing them at run time is not supported yet.
 */
export function updateListener(deps: AdminDeps, caller: Caller, name: string): never {
  requireThat(canManageServer(caller), 'Settings');
  if (!listListeners(deps, caller).some((l) => l.name === name)) throw new AdminError(404, `no listener ${name}`);
  throw new AdminError(501, 'listener Grant/Deny come from the config file: change grant/deny there and restart');
}
