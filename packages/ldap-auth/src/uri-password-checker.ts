import type { ConnectionOptions } from 'node:tls';
import type { PasswordChecker } from '@portcullis/auth-core';
import { AuthenticationUriError, bindNameFor, parseAuthenticationUri } from './authentication-uri.js';
import { simpleBind, type BindResult } from './ldap-bind.js';

export interface UriCheckerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface UriCheckerOptions {
  logger?: UriCheckerLogger;
  /** default 5000 */
  connectTimeoutMs?: number;
  /** default 5000 */
  timeoutMs?: number;
  /** for ldaps:// (a private CA: `{ ca }`); default: Node's verification against its CA list */
  tlsOptions?: ConnectionOptions;
  /** replaceable in tests */
  bind?: typeof simpleBind;
}

export const DEFAULT_LDAP_TIMEOUT_MS = 5000;

/**
 * The Authentication URI password source (`authenticationURI`): a bind to the external server
 * with the password the client sent. It checks cleartext passwords only and never gives one out,
 * so a shared-secret mechanism passes over it; `user$tag` logins are not its business.
 */
export function createUriPasswordChecker(options: UriCheckerOptions = {}): PasswordChecker {
  const bind = options.bind ?? simpleBind;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_LDAP_TIMEOUT_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LDAP_TIMEOUT_MS;
  return {
    source: 'uri',
    enabled: (req) => !!req.settings.authenticationURI?.trim() && req.tag === undefined,
    async verify(req, password) {
      const raw = req.settings.authenticationURI ?? '';
      let result: BindResult;
      let url: string;
      try {
        const uri = parseAuthenticationUri(raw);
        url = uri.url;
        const bindName = bindNameFor(uri.template, req.account.name, req.account.domain);
        result = await bind({
          url: uri.url,
          bindName,
          password,
          connectTimeoutMs,
          timeoutMs,
          ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
        });
        options.logger?.debug({ account: req.address, url, bindName, ok: result.ok }, 'authentication URI bind');
      } catch (err) {
        if (!(err instanceof AuthenticationUriError)) throw err;
        options.logger?.warn({ account: req.address, problem: err.message }, 'bad authenticationURI');
        return false;
      }
      if (!result.ok && result.reason === 'error') {
        options.logger?.warn({ account: req.address, url, problem: result.detail }, 'authentication URI server not usable');
      }
      return result.ok;
    },
    clearSecret: () => null,
  };
}
