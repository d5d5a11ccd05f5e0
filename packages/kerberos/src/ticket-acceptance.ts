/**
 * The ticket checks GSSAPI and GSS-SPNEGO share: the first token is accepted with the keys the
 * domain its ticket's service names holds for exactly that service, and an accepted context must
 * be for that service and name a simple client of the same realm.
 */
import type { DirectoryStore, DomainSettings, MechanismStep } from '@portcullis/auth-core';
import type { AcceptResult, GssAcceptor } from './gss-binding.js';
import { withTempKeytab } from './keytab-files.js';
import { parsePrincipal, serviceHost, simpleClientName, type Principal } from './principal.js';
import { fromStored, storedKeysOf } from './stored-keys.js';

/** Logs why a ticket was refused and gives the mechanism's failure step. */
export type RefuseTicket = (reason: string, extra?: object) => MechanismStep;

export function samePrincipal(a: Principal, b: Principal): boolean {
  return a.realm === b.realm && a.components.length === b.components.length && a.components.every((c, i) => c === b.components[i]);
}

export interface TicketAcceptOptions {
  directory: Pick<DirectoryStore, 'resolveDomain'>;
  /** where private keytab files are written for an accept call */
  tmpDir?: string | undefined;
}

/**
 * MIT's answer to the first token (the caller releases its context), with the domain whose keys
 * accepted it; or the refusal step. `acceptor` is asked for only once there are keys to try.
 */
export async function acceptWithDomainKeys(
  options: TicketAcceptOptions,
  acceptor: () => GssAcceptor,
  service: Principal,
  token: Buffer,
  refuse: RefuseTicket,
): Promise<{ accepted: true; domain: DomainSettings; result: AcceptResult } | { accepted: false; step: MechanismStep }> {
  const host = serviceHost(service);
  const domain = host ? await options.directory.resolveDomain(host) : null;
  if (!domain) return { accepted: false, step: refuse('the ticket service names no domain', { service: service.components.join('/') }) };
  const keys = storedKeysOf(domain)
    .map(fromStored)
    .filter((k) => samePrincipal(k, service));
  if (keys.length === 0) {
    return { accepted: false, step: refuse('the domain has no key for the ticket service', { domain: domain.name, service: service.components.join('/') }) };
  }
  const gss = acceptor();
  try {
    const result = await withTempKeytab(keys, (path) => gss.accept(path, token), options.tmpDir);
    return { accepted: true, domain, result };
  } catch (err) {
    return { accepted: false, step: refuse('MIT GSS-API refused the ticket', { domain: domain.name, err: err instanceof Error ? err.message : String(err) }) };
  }
}

/** The client's simple name from a complete context, or the refusal step. */
export function acceptedClient(
  result: Pick<AcceptResult, 'clientName' | 'targetName'>,
  service: Principal,
  domain: string,
  refuse: RefuseTicket,
): { user: string } | { step: MechanismStep } {
  const target = result.targetName ? parsePrincipal(result.targetName) : null;
  if (!target || !samePrincipal(target, service)) return { step: refuse('the context target differs from the ticket service', { domain }) };
  const client = result.clientName ? parsePrincipal(result.clientName) : null;
  const user = client && simpleClientName(client);
  if (!client || !user) return { step: refuse('the client principal is not a simple name', { domain, client: result.clientName }) };
  if (client.realm !== service.realm) return { step: refuse('the client is of another realm', { domain, client: result.clientName }) };
  return { user };
}
