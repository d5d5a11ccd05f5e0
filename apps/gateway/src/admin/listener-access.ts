/**
 * Listener Grant/Deny changed at run time: overrides kept in the server settings (key
 * `listenerAccess`, listener name `service:port` -> `{ grant?, deny? }`), so every worker and
 * every instance sharing the directory applies the same lists. A list given replaces the config
 * file's one; a list left out keeps it. Shared by the admin API (PATCH /api/v1/listeners/:name)
 * and the CLI (`portcullis listener ...`); serve/listener-access-source.ts hands them to the
 * listeners.
 */
import type { ServerSettings } from '@portcullis/auth-core';
import { CidrParseError, parseCidrList } from '@portcullis/listener';
import type { GatewayConfig } from '../config/load.js';
import { NotFoundError, type StoreContext } from '../commands/context.js';
import { UsageError } from '../errors.js';

export const LISTENER_ACCESS_KEY = 'listenerAccess';

export interface ListenerAccess {
  grant?: string[];
  deny?: string[];
}

export type ListenerAccessMap = Record<string, ListenerAccess>;

/** What a change asks per list: a new list, null (back to the config file's), or absent (unchanged). */
export interface ListenerAccessChange {
  grant?: string[] | null | undefined;
  deny?: string[] | null | undefined;
}

export interface ListenerAccessView {
  /** service:port, unique per gateway */
  name: string;
  service: string;
  address: string;
  port: number;
  tls: string;
  /** the lists in force */
  grant: string[];
  deny: string[];
  /** the config file's lists, and which of them the server settings override */
  config: { grant: string[]; deny: string[] };
  overridden: { grant: boolean; deny: boolean };
}

type ListenerLike = Pick<GatewayConfig['listeners'][number], 'service' | 'port'>;

export function listenerName(l: ListenerLike): string {
  return `${l.service}:${l.port}`;
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/**
 * The overrides in the server settings. An entry of the wrong shape (a hand-edited file) is left
 * out rather than failing: the listener then keeps the config file's lists.
 */
export function listenerAccessFrom(settings: ServerSettings): ListenerAccessMap {
  const raw = (settings as Record<string, unknown>)[LISTENER_ACCESS_KEY];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: ListenerAccessMap = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const { grant, deny } = value as Record<string, unknown>;
    const entry: ListenerAccess = {};
    if (isStringList(grant)) entry.grant = grant;
    if (isStringList(deny)) entry.deny = deny;
    if (entry.grant || entry.deny) out[name] = entry;
  }
  return out;
}

/** A list of address ranges as the listener will parse it, trimmed and without duplicates. */
export function checkRanges(list: readonly string[], what: string): string[] {
  const ranges = [...new Set(list.map((r) => r.trim()).filter((r) => r.length > 0))];
  if (ranges.length > 1000) throw new UsageError(`${what}: at most 1000 address ranges`);
  try {
    parseCidrList(ranges);
  } catch (err) {
    if (err instanceof CidrParseError) throw new UsageError(`${what}: ${err.message}`);
    throw err;
  }
  return ranges;
}

function configuredListener(config: GatewayConfig, name: string): GatewayConfig['listeners'][number] {
  const found = config.listeners.find((l) => listenerName(l) === name);
  if (!found) throw new NotFoundError(`no listener ${name} (listeners: ${config.listeners.map(listenerName).join(', ')})`);
  return found;
}

export function listenerViews(config: GatewayConfig, overrides: ListenerAccessMap): ListenerAccessView[] {
  return config.listeners.map((l) => {
    const name = listenerName(l);
    // an http listener never applies one (changeListenerAccess refuses to set it)
    const o = l.service === 'http' ? {} : (overrides[name] ?? {});
    const grant = l.grant ?? [];
    const deny = l.deny ?? [];
    return {
      name,
      service: l.service,
      address: l.address ?? '127.0.0.1',
      port: l.port,
      tls: l.tls ?? 'none',
      grant: o.grant ?? grant,
      deny: o.deny ?? deny,
      config: { grant, deny },
      overridden: { grant: o.grant !== undefined, deny: o.deny !== undefined },
    };
  });
}

export async function listenerAccessViews(ctx: StoreContext): Promise<ListenerAccessView[]> {
  return listenerViews(ctx.config, listenerAccessFrom(await ctx.store.getServerSettings()));
}

/** Change one listener's overrides; answers its view. */
export async function changeListenerAccess(ctx: StoreContext, name: string, change: ListenerAccessChange): Promise<ListenerAccessView> {
  const listener = configuredListener(ctx.config, name);
  // the http listeners check Grant/Deny in packages/http, from the config file only; refusing
  // here also keeps an administrator from locking the admin API out by mistake
  if (listener.service === 'http') throw new UsageError(`the Grant/Deny lists of http listeners come from the config file only`);
  if (change.grant === undefined && change.deny === undefined) throw new UsageError('nothing to change: give grant or deny');
  const settings = await ctx.store.getServerSettings();
  const all = listenerAccessFrom(settings);
  const entry: ListenerAccess = { ...all[name] };
  for (const key of ['grant', 'deny'] as const) {
    const value = change[key];
    if (value === null) delete entry[key];
    else if (value !== undefined) entry[key] = checkRanges(value, key);
  }
  if (entry.grant === undefined && entry.deny === undefined) delete all[name];
  else all[name] = entry;
  const next: Record<string, unknown> = { ...settings };
  if (Object.keys(all).length === 0) delete next[LISTENER_ACCESS_KEY];
  else next[LISTENER_ACCESS_KEY] = all;
  // the server settings document keeps keys the CLI's key table does not know
  await ctx.store.setServerSettings(next as ServerSettings);
  return listenerViews(ctx.config, all).find((v) => v.name === name)!;
}
