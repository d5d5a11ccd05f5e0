import type { Authenticator } from '@portcullis/auth-core';
import { createImapHandler } from '@portcullis/imap';
import type { ConnectionHandler } from '@portcullis/listener';
import { createPopHandler } from '@portcullis/pop';
import { UsageError } from '../errors.js';
import type { ListenerConfig } from '../config/schema.js';

export interface ServiceDeps {
  authenticator: Authenticator;
  serverName: string;
}

/** The protocols this version serves; the others are accepted by the config but refused at start. */
const HANDLERS: Partial<Record<ListenerConfig['service'], (deps: ServiceDeps) => ConnectionHandler>> = {
  imap: (deps) => createImapHandler(deps),
  pop: (deps) => createPopHandler(deps),
};

export function checkServices(listeners: readonly ListenerConfig[], where: string): void {
  const missing = [...new Set(listeners.map((l) => l.service).filter((s) => !HANDLERS[s]))];
  if (missing.length > 0) {
    throw new UsageError(
      `config ${where}: listeners for ${missing.join(', ')}: not implemented in this version (available: ${Object.keys(HANDLERS).join(', ')})`,
    );
  }
}

export function handlerFor(service: ListenerConfig['service'], deps: ServiceDeps): ConnectionHandler {
  const make = HANDLERS[service];
  if (!make) throw new UsageError(`service ${service} is not implemented in this version`);
  return make(deps);
}
