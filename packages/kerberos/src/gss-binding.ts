/** The native MIT GSS-API acceptor (native/gss.cc) behind a typed port, so tests can stand in for it. */
import { createRequire } from 'node:module';

/** An accepted (or half-accepted) security context; opaque to JavaScript. */
export type GssContext = object & { readonly __gssContext?: never };

export interface AcceptResult {
  complete: boolean;
  /** token to send back (the AP-REP of mutual authentication); may be empty */
  output: Buffer;
  flags: number;
  context: GssContext;
  /** set once complete: `user@REALM` and `service/host@REALM` as MIT displays them */
  clientName?: string;
  targetName?: string;
}

export interface GssAcceptor {
  /** accept `token` with acceptor keys from the keytab file `keytabPath` (read during this call) */
  accept(keytabPath: string, token: Buffer, context?: GssContext): Promise<AcceptResult>;
  wrap(context: GssContext, data: Buffer, confidential: boolean): Buffer;
  unwrap(context: GssContext, data: Buffer): { data: Buffer; confidential: boolean };
  release(context: GssContext): void;
}

/** The initiator side (default credentials cache, KRB5CCNAME): tests, and GSSAPI to an upstream. */
export interface GssInitiator {
  /** `target` is a principal name, `service/host@REALM` */
  initiate(target: string, token?: Buffer, context?: GssContext): Promise<{ complete: boolean; output: Buffer; context: GssContext }>;
  wrap(context: GssContext, data: Buffer, confidential: boolean): Buffer;
  unwrap(context: GssContext, data: Buffer): { data: Buffer; confidential: boolean };
  release(context: GssContext): void;
}

let loaded: (GssAcceptor & GssInitiator) | undefined;

function load(): GssAcceptor & GssInitiator {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    // dist/native from both src/ (tests) and dist/ (built code)
    loaded = require('../dist/native/portcullis_gss.node') as GssAcceptor & GssInitiator;
  }
  return loaded;
}

/** The native binding, built by `npm run build` (scripts/build-native.mjs). */
export function nativeGssAcceptor(): GssAcceptor {
  return load();
}

export function nativeGssInitiator(): GssInitiator {
  return load();
}
