import path from 'node:path';
import type { Authenticator, DirectoryStore, MailboxStore } from '@portcullis/auth-core';
import { createFtpHandler } from '@portcullis/ftp';
import { createImapHandler } from '@portcullis/imap';
import { createLdapHandler } from '@portcullis/ldap';
import type { ConnectionHandler, TlsMaterial } from '@portcullis/listener';
import { createPopHandler } from '@portcullis/pop';
import { createPwdHandler } from '@portcullis/pwd';
import { createSmtpHandler, SmarthostSink, SpoolSink, type MessageSink } from '@portcullis/smtp';
import { createXmppHandler } from '@portcullis/xmpp';
import type { RelayHook } from '@portcullis/relay';
import { UsageError } from '../errors.js';
import { sessionIdLogin } from '../web/sessionid-login.js';
import type { FtpConfig, ListenerConfig, SmtpConfig } from '../config/schema.js';

export interface ServiceDeps {
  authenticator: Authenticator;
  serverName: string;
  /** PWD stores a new password here */
  directory?: DirectoryStore;
  /** the built-in IMAP session's mailboxes and ACLs (groups come from `directory`) */
  mailboxes?: MailboxStore;
  /** FTP keeps each account's files under dataDir/files/<domain>/<account>/ */
  dataDir?: string;
  /** the listeners' certificate: FTP's protected (PROT P) data connections use it too */
  tls?: TlsMaterial;
  /** the config's `ftp:` section */
  ftp?: FtpConfig;
  /** LDAP shows this domain's naming context to clients that have not bound */
  mainDomain?: string;
  /** the config's `smtp:` section; SMTP spools under dataDir unless it names a smarthost */
  smtp?: SmtpConfig;
  /** after each login: whether the session continues on an upstream server (issue 9) */
  relay?: RelayHook;
}

function required<T>(value: T | undefined, what: string, service: string): T {
  if (value === undefined) throw new UsageError(`service ${service} needs ${what}`);
  return value;
}

/** The protocols this version serves; the others are accepted by the config but refused at start. */
const HANDLERS: Partial<Record<ListenerConfig['service'], (deps: ServiceDeps, listener?: ListenerConfig) => ConnectionHandler>> = {
  imap: (deps) => createImapHandler(deps),
  pop: (deps) => createPopHandler(deps),
  pwd: (deps) =>
    createPwdHandler({
      authenticator: deps.authenticator,
      serverName: deps.serverName,
      directory: required(deps.directory, 'the directory store', 'pwd'),
      sessionIdLogin: sessionIdLogin(deps.authenticator),
    }),
  ftp: (deps, listener) =>
    createFtpHandler({
      authenticator: deps.authenticator,
      serverName: deps.serverName,
      filesRoot: path.join(required(deps.dataDir, 'dataDir', 'ftp'), 'files'),
      ...(deps.tls ? { tls: deps.tls } : {}),
      passive: {
        bindAddress: deps.ftp?.passiveBindAddress ?? listener?.address ?? '127.0.0.1',
        ...(deps.ftp?.passiveAddress ? { advertisedAddress: deps.ftp.passiveAddress } : {}),
        ...(deps.ftp?.passivePorts ? { ports: deps.ftp.passivePorts } : {}),
      },
      ...(deps.ftp?.maxUploadBytes ? { maxUploadBytes: deps.ftp.maxUploadBytes } : {}),
    }),
  ldap: (deps) =>
    createLdapHandler({
      authenticator: deps.authenticator,
      serverName: deps.serverName,
      ...(deps.directory ? { directory: deps.directory } : {}),
      ...(deps.mainDomain ? { mainDomain: deps.mainDomain } : {}),
    }),
  smtp: (deps) =>
    createSmtpHandler({
      authenticator: deps.authenticator,
      serverName: deps.serverName,
      sink: smtpSink(deps),
      ...(deps.smtp?.maxMessageSize ? { maxMessageSize: deps.smtp.maxMessageSize } : {}),
      ...(deps.smtp?.maxRecipients ? { maxRecipients: deps.smtp.maxRecipients } : {}),
      ...(deps.relay ? { relay: deps.relay } : {}),
    }),
  xmpp: (deps) => {
    const directory = deps.directory;
    return createXmppHandler({
      authenticator: deps.authenticator,
      serverName: deps.serverName,
      ...(deps.mainDomain ? { mainDomain: deps.mainDomain } : {}),
      // a stream's `to` must name a domain of the directory (or an alias of one)
      ...(directory ? { resolveDomain: async (name: string) => (await directory.resolveDomain(name))?.name ?? null } : {}),
    });
  },
};

/** SMTP's message sink: the smarthost when configured, else the spool folder (relative to dataDir) */
function smtpSink(deps: ServiceDeps): MessageSink {
  const dataDir = required(deps.dataDir, 'dataDir', 'smtp');
  const spoolDir = path.resolve(dataDir, deps.smtp?.spoolDir ?? 'spool');
  const relay = deps.smtp?.smarthost;
  if (!relay) return new SpoolSink(spoolDir);
  return new SmarthostSink(path.join(spoolDir, 'relay-tmp'), {
    host: relay.host,
    port: relay.port,
    secure: relay.secure,
    name: deps.serverName,
    ...(relay.requireTLS !== undefined ? { requireTLS: relay.requireTLS } : {}),
    ...(relay.rejectUnauthorized !== undefined ? { rejectUnauthorized: relay.rejectUnauthorized } : {}),
    ...(relay.auth ? { auth: relay.auth } : {}),
    ...(relay.timeout !== undefined ? { timeout: relay.timeout } : {}),
  });
}

export function checkServices(listeners: readonly ListenerConfig[], where: string): void {
  const missing = [...new Set(listeners.map((l) => l.service).filter((s) => !HANDLERS[s]))];
  if (missing.length > 0) {
    throw new UsageError(
      `config ${where}: listeners for ${missing.join(', ')}: not implemented in this version (available: ${Object.keys(HANDLERS).join(', ')})`,
    );
  }
}

export function handlerFor(service: ListenerConfig['service'], deps: ServiceDeps, listener?: ListenerConfig): ConnectionHandler {
  const make = HANDLERS[service];
  if (!make) throw new UsageError(`service ${service} is not implemented in this version`);
  return make(deps, listener);
}
