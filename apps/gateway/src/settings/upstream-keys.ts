/**
 * The `upstream.<service>.*` keys (issue 9) of domains and accounts: where a logged-in session
 * continues. `masterPassword` is a credential the gateway must be able to send, so it is kept as
 * typed (not hashed like login passwords) and hidden like one.
 */
import net from 'node:net';
import type { KeySpec } from './setting-keys.js';
import { int, list, oneOf, password, pemCertificates, text, ValueError, type ValueParser } from './value-parsers.js';

export const UPSTREAM_SERVICES = ['imap', 'pop', 'smtp'] as const;
export const UPSTREAM_TLS_MODES = ['none', 'starttls', 'implicit'] as const;
export const UPSTREAM_LOGIN_MODES = ['master', 'xclient', 'proxy', 'passthrough'] as const;
export const UPSTREAM_AUTH_MECHANISMS = ['PLAIN', 'LOGIN'] as const;

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** split `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address; undefined when malformed */
export function splitHostPort(entry: string): { host: string; port?: number } | undefined {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracket) {
    if (net.isIPv6(bracket[1]!) === false) return undefined;
    return bracket[2] === undefined ? { host: bracket[1]! } : withPort(bracket[1]!, bracket[2]);
  }
  if (net.isIPv6(entry)) return { host: entry };
  const colon = entry.lastIndexOf(':');
  const host = colon >= 0 ? entry.slice(0, colon) : entry;
  const isName = host.length <= 253 && host.split('.').every((label) => HOST_LABEL.test(label));
  if (!net.isIPv4(host) && !isName) return undefined;
  return colon >= 0 ? withPort(host, entry.slice(colon + 1)) : { host };
}

function withPort(host: string, port: string): { host: string; port: number } | undefined {
  const n = /^\d{1,5}$/.test(port) ? Number(port) : 0;
  return n >= 1 && n <= 65535 ? { host, port: n } : undefined;
}

export const upstreamHost: ValueParser = (raw) => {
  const entry = raw.trim().toLowerCase();
  if (!splitHostPort(entry)) throw new ValueError(`'${raw}' is not a host name or address (optionally with :port)`);
  return entry;
};

/** the keys for one service, without the `upstream.<service>.` prefix */
const SERVICE_KEYS: Record<string, KeySpec> = {
  host: { parse: list(upstreamHost) },
  port: { parse: int(1, 65535) },
  tls: { parse: oneOf(UPSTREAM_TLS_MODES, { caseInsensitive: true }) },
  ca: { parse: pemCertificates },
  login: { parse: oneOf(UPSTREAM_LOGIN_MODES, { caseInsensitive: true }) },
  authMechanism: { parse: oneOf(UPSTREAM_AUTH_MECHANISMS, { caseInsensitive: true }) },
  masterUser: { parse: text },
  masterPassword: { parse: password, secret: 'credential' },
};

export const UPSTREAM_KEYS: Record<string, KeySpec> = Object.fromEntries(
  UPSTREAM_SERVICES.flatMap((service) =>
    Object.entries(SERVICE_KEYS).map(([key, spec]) => [`upstream.${service}.${key}`, spec] as const),
  ),
);
