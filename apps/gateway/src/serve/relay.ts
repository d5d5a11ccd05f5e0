/**
 * The gateway's relay hook (issue 9): after a login, the account's `upstream.<service>` settings
 * (merged key by key over its domain's) decide whether the session continues on an upstream
 * server. Failures are logged (never with a password) and counted; the client then gets its
 * protocol's temporary failure and the gateway carries on.
 */
import type { DirectoryStore, UpstreamServiceSettings } from '@portcullis/auth-core';
import {
  connectUpstream,
  imapUpstream,
  popUpstream,
  smtpUpstream,
  UpstreamError,
  type RelayHook,
  type RelayTimeouts,
  type UpstreamDialog,
  type UpstreamService,
  type UpstreamTarget,
} from '@portcullis/relay';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './metrics.js';
import { splitHostPort } from '../settings/upstream-keys.js';
import type { RelayConfig } from '../config/schema.js';

export const DEFAULT_RELAY_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_RELAY_LOGIN_TIMEOUT_MS = 15_000;
/** IMAP IDLE clients stay silent for up to 29 minutes (RFC 2177) */
export const DEFAULT_RELAY_TIMEOUTS: RelayTimeouts = { idleTimeoutMs: 31 * 60_000, totalTimeoutMs: 24 * 3600_000 };

const DEFAULT_PORTS: Record<UpstreamService, { plain: number; implicit: number }> = {
  imap: { plain: 143, implicit: 993 },
  pop: { plain: 110, implicit: 995 },
  smtp: { plain: 587, implicit: 465 },
};

export interface RelayHookOptions {
  directory: DirectoryStore;
  logger: Logger;
  /** where the relay counters are registered (the gateway's /metrics registry) */
  registry?: Registry;
  connectTimeoutMs?: number;
  loginTimeoutMs?: number;
  timeouts?: RelayTimeouts;
  /** the dialogs by service; the package's own by default */
  dialogs?: Partial<Record<UpstreamService, UpstreamDialog>>;
}

/** the account's settings for one service over the domain's, key by key; undefined without a host */
export function effectiveUpstream(
  service: UpstreamService,
  domain: UpstreamServiceSettings | undefined,
  account: UpstreamServiceSettings | undefined,
): UpstreamServiceSettings | undefined {
  const merged = { ...domain, ...account };
  return merged.host && merged.host.length > 0 ? merged : undefined;
}

/** one target per configured host, in the configured order */
export function upstreamTargets(service: UpstreamService, settings: UpstreamServiceSettings): UpstreamTarget[] {
  const tls = settings.tls ?? 'starttls';
  const port = settings.port ?? (tls === 'implicit' ? DEFAULT_PORTS[service].implicit : DEFAULT_PORTS[service].plain);
  const hosts = Array.isArray(settings.host) ? settings.host : typeof settings.host === 'string' ? String(settings.host).split(',') : [];
  const targets: UpstreamTarget[] = [];
  for (const entry of hosts) {
    const parsed = splitHostPort(entry.trim());
    if (!parsed) continue;
    targets.push({
      host: parsed.host,
      port: parsed.port ?? port,
      tls,
      ...(settings.ca ? { ca: settings.ca } : {}),
      login: settings.login ?? 'master',
      authMechanism: settings.authMechanism ?? 'PLAIN',
      ...(settings.masterUser !== undefined ? { masterUser: settings.masterUser } : {}),
      ...(settings.masterPassword !== undefined ? { masterPassword: settings.masterPassword } : {}),
    });
  }
  return targets;
}

/** the hook's timing options from the config's `relay:` section (seconds there, ms here) */
export function relayTimingFromConfig(relay: RelayConfig | undefined): Pick<RelayHookOptions, 'connectTimeoutMs' | 'loginTimeoutMs' | 'timeouts'> {
  if (!relay) return {};
  return {
    ...(relay.connectTimeout !== undefined ? { connectTimeoutMs: relay.connectTimeout * 1000 } : {}),
    ...(relay.loginTimeout !== undefined ? { loginTimeoutMs: relay.loginTimeout * 1000 } : {}),
    timeouts: {
      idleTimeoutMs: (relay.idleTimeout ?? DEFAULT_RELAY_TIMEOUTS.idleTimeoutMs / 1000) * 1000,
      totalTimeoutMs: (relay.totalTimeout ?? DEFAULT_RELAY_TIMEOUTS.totalTimeoutMs / 1000) * 1000,
    },
  };
}

export function createRelayHook(options: RelayHookOptions): RelayHook {
  const { directory, logger } = options;
  const registers = options.registry ? [options.registry] : [];
  const sessions = new Counter({
    name: `${METRIC_PREFIX}relay_logins_total`,
    help: 'Logins handed to an upstream server, by service and result (relayed, unavailable)',
    labelNames: ['service', 'result'] as const,
    registers,
  });
  const failures = new Counter({
    name: `${METRIC_PREFIX}relay_upstream_failures_total`,
    help: 'Upstream servers that could not be reached or refused the login, by service and kind',
    labelNames: ['service', 'kind'] as const,
    registers,
  });
  const dialogs = options.dialogs ?? { imap: imapUpstream, pop: popUpstream, smtp: smtpUpstream };

  return async (service, login, client) => {
    const log = logger.child({ service, account: login.authzid, remoteAddress: client.clientAddress });
    let settings: UpstreamServiceSettings | undefined;
    try {
      const at = login.authzid.lastIndexOf('@');
      const [name, domainName] = at > 0 ? [login.authzid.slice(0, at), login.authzid.slice(at + 1)] : [login.authzid, ''];
      const [domain, account] = await Promise.all([directory.getDomain(domainName), directory.getAccount(domainName, name)]);
      settings = effectiveUpstream(service, domain?.upstream?.[service], account?.settings.upstream?.[service]);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'relay: upstream settings could not be read');
      sessions.inc({ service, result: 'unavailable' });
      return { kind: 'unavailable', reason: 'upstream settings could not be read' };
    }
    if (!settings) return { kind: 'builtin' };
    const targets = upstreamTargets(service, settings);
    try {
      const upstream = await connectUpstream(service, targets, client, {
        dialogs,
        connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_RELAY_CONNECT_TIMEOUT_MS,
        loginTimeoutMs: options.loginTimeoutMs ?? DEFAULT_RELAY_LOGIN_TIMEOUT_MS,
        onTargetFailed: (target, err) => {
          failures.inc({ service, kind: err.kind });
          log.warn({ upstream: `${target.host}:${target.port}`, kind: err.kind, err: err.message }, 'relay: upstream failed');
        },
      });
      sessions.inc({ service, result: 'relayed' });
      log.info({ upstream: `${upstream.host}:${upstream.port}`, login: targets[0]?.login }, 'relay: session continues upstream');
      return { kind: 'relay', upstream, timeouts: options.timeouts ?? DEFAULT_RELAY_TIMEOUTS };
    } catch (err) {
      const reason = err instanceof UpstreamError ? err.message : (err as Error).message;
      sessions.inc({ service, result: 'unavailable' });
      log.warn({ upstreams: targets.map((t) => `${t.host}:${t.port}`), reason }, 'relay: no upstream available');
      return { kind: 'unavailable', reason };
    }
  };
}
