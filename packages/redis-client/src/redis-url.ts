/**
 * Redis URL forms, parsed without touching the network. WHATWG `URL` cannot be used: the
 * Sentinel and Cluster forms carry a comma-separated host list where a URL has one host.
 *
 *   redis://[[user]:password@]host[:port][/db]
 *   rediss://...                                     same, over TLS
 *   redis+sentinel://[[user]:password@]h1:p1,h2:p2/mastername[/db][?sentinelPassword=...]
 *   redis+cluster://[[user]:password@]h1:p1,h2:p2
 *   rediss+sentinel://, rediss+cluster://            same, over TLS
 */

export interface RedisHost {
  host: string;
  port: number;
}

interface Common {
  tls: boolean;
  username?: string;
  password?: string;
}

export interface StandaloneUrl extends Common, RedisHost {
  mode: 'standalone';
  db: number;
}

export interface SentinelUrl extends Common {
  mode: 'sentinel';
  sentinels: RedisHost[];
  masterName: string;
  db: number;
  /** password of the sentinels themselves, when they have one (query `sentinelPassword`) */
  sentinelPassword?: string;
  sentinelUsername?: string;
}

export interface ClusterUrl extends Common {
  mode: 'cluster';
  nodes: RedisHost[];
}

export type RedisUrlDescription = StandaloneUrl | SentinelUrl | ClusterUrl;

export const DEFAULT_REDIS_PORT = 6379;
export const DEFAULT_SENTINEL_PORT = 26379;

/** Thrown for a URL that is not one of the forms above; its message never holds the password. */
export class RedisUrlError extends Error {
  constructor(url: string, reason: string) {
    super(`bad redis URL ${redactRedisUrl(url)}: ${reason}`);
    this.name = 'RedisUrlError';
  }
}

const SCHEMES: Record<string, { mode: RedisUrlDescription['mode']; tls: boolean }> = {
  redis: { mode: 'standalone', tls: false },
  rediss: { mode: 'standalone', tls: true },
  'redis+sentinel': { mode: 'sentinel', tls: false },
  'rediss+sentinel': { mode: 'sentinel', tls: true },
  'redis+cluster': { mode: 'cluster', tls: false },
  'rediss+cluster': { mode: 'cluster', tls: true },
};

const URL_SHAPE = /^([a-z][a-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$/i;

/** True when `url` names a Redis server (any of the forms above), whether or not it is valid. */
export function isRedisUrl(url: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  return scheme !== undefined && scheme in SCHEMES;
}

/** Parse a Redis URL (pure; throws RedisUrlError). */
export function describeRedisUrl(url: string): RedisUrlDescription {
  const m = URL_SHAPE.exec(url.trim());
  if (!m) throw new RedisUrlError(url, 'expected scheme://host:port');
  const scheme = SCHEMES[(m[1] ?? '').toLowerCase()];
  if (!scheme) throw new RedisUrlError(url, `unknown scheme; use one of ${Object.keys(SCHEMES).join(', ')}`);
  const credentials = parseUserInfo(url, m[2]);
  const defaultPort = scheme.mode === 'sentinel' ? DEFAULT_SENTINEL_PORT : DEFAULT_REDIS_PORT;
  const hosts = parseHostList(url, m[3] ?? '', defaultPort);
  const segments = (m[4] ?? '').split('/').filter((s) => s !== '').map((s) => decode(url, s));
  const query = new URLSearchParams(m[5] ?? '');
  const common: Common = { tls: scheme.tls, ...credentials };

  switch (scheme.mode) {
    case 'standalone': {
      if (hosts.length !== 1) throw new RedisUrlError(url, 'exactly one host expected; use redis+sentinel:// or redis+cluster:// for several');
      if (segments.length > 1) throw new RedisUrlError(url, 'the path is only a database number');
      const [first] = hosts as [RedisHost];
      return { mode: 'standalone', ...common, host: first.host, port: first.port, db: parseDb(url, segments[0]) };
    }
    case 'sentinel': {
      const masterName = segments[0];
      if (masterName === undefined) throw new RedisUrlError(url, 'the master name is missing (/mastername)');
      if (segments.length > 2) throw new RedisUrlError(url, 'the path is /mastername[/db]');
      const description: SentinelUrl = { mode: 'sentinel', ...common, sentinels: hosts, masterName, db: parseDb(url, segments[1]) };
      const sentinelPassword = query.get('sentinelPassword');
      const sentinelUsername = query.get('sentinelUsername');
      if (sentinelPassword !== null) description.sentinelPassword = sentinelPassword;
      if (sentinelUsername !== null) description.sentinelUsername = sentinelUsername;
      return description;
    }
    case 'cluster': {
      // Redis Cluster has one database only
      if (segments.length > 1 || (segments[0] !== undefined && parseDb(url, segments[0]) !== 0)) {
        throw new RedisUrlError(url, 'Redis Cluster has database 0 only');
      }
      return { mode: 'cluster', ...common, nodes: hosts };
    }
  }
}

/**
 * The URL with its password replaced by `***`, safe for logs and error messages. Works on
 * strings that do not parse too (it only looks at the part before the first `@`).
 */
export function redactRedisUrl(url: string): string {
  let redacted = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@/i, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    // no colon: a lone token may be a password (redis://secret@host), so hide it whole
    return colon < 0 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
  redacted = redacted.replace(/([?&](?:sentinelPassword|password)=)[^&#]*/gi, '$1***');
  return redacted;
}

function parseUserInfo(url: string, userinfo: string | undefined): { username?: string; password?: string } {
  if (userinfo === undefined || userinfo === '') return {};
  const colon = userinfo.indexOf(':');
  // a lone token is a password, as redis-cli and ioredis take it (Redis before 6 had no users)
  if (colon < 0) return { password: decode(url, userinfo) };
  const username = decode(url, userinfo.slice(0, colon));
  const password = decode(url, userinfo.slice(colon + 1));
  return { ...(username !== '' ? { username } : {}), ...(password !== '' ? { password } : {}) };
}

function parseHostList(url: string, list: string, defaultPort: number): RedisHost[] {
  if (list === '') throw new RedisUrlError(url, 'no host');
  return list.split(',').map((item) => parseHost(url, item.trim(), defaultPort));
}

function parseHost(url: string, item: string, defaultPort: number): RedisHost {
  // [v6]:port or host:port
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d*))?$/i.exec(item);
  if (!m) throw new RedisUrlError(url, `bad host "${item}"`);
  const host = m[1] ?? decode(url, m[2] ?? '');
  const portText = m[3];
  if (portText === undefined || portText === '') return { host, port: defaultPort };
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RedisUrlError(url, `bad port "${portText}"`);
  return { host, port };
}

function parseDb(url: string, segment: string | undefined): number {
  if (segment === undefined || segment === '') return 0;
  if (!/^\d{1,5}$/.test(segment)) throw new RedisUrlError(url, `bad database number "${segment}"`);
  return Number(segment);
}

function decode(url: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new RedisUrlError(url, 'bad percent-encoding');
  }
}
