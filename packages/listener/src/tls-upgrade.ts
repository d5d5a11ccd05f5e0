/**
 * Server-side TLS over an already-accepted socket: used for implicit TLS (after the PROXY
 * header and the Grant/Deny check, which must see the plain socket) and for STARTTLS.
 */
import type net from 'node:net';
import tls from 'node:tls';

export class TlsHandshakeError extends Error {}

/**
 * Wrap raw in a TLSSocket and wait for the handshake. Bytes still queued in raw's readable buffer
 * (for example after a PROXY header) are fed to the TLS layer by Node itself.
 */
export function upgradeToTls(raw: net.Socket, secureContext: tls.SecureContext, timeoutMs: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    // Ask every client for a certificate (SASL EXTERNAL) but never refuse one for lacking it or
    // for an unknown issuer: auth-core checks it against the CA of the listener's domain.
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext, requestCert: true, rejectUnauthorized: false });
    // a handshake failure must never become an unhandled 'error' event
    secure.on('error', () => {});
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      if (timer) clearTimeout(timer);
      secure.removeListener('secure', onSecure);
      secure.removeListener('error', onError);
      secure.removeListener('close', onClose);
    };
    const fail = (err: Error): void => {
      cleanup();
      secure.destroy();
      raw.destroy();
      reject(err);
    };
    const onSecure = (): void => {
      cleanup();
      resolve(secure);
    };
    const onError = (err: Error): void => fail(new TlsHandshakeError(`TLS handshake failed: ${err.message}`));
    const onClose = (): void => fail(new TlsHandshakeError('connection closed during the TLS handshake'));
    secure.once('secure', onSecure);
    secure.on('error', onError);
    secure.once('close', onClose);
    if (timeoutMs > 0) {
      timer = setTimeout(() => fail(new TlsHandshakeError('TLS handshake timed out')), timeoutMs);
    }
  });
}
