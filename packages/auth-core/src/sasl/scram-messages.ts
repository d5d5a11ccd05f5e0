/** Parsing of the SCRAM client messages (RFC 5802 section 7). Pure functions, no secrets. */

export interface ClientFirst {
  /** 'n', 'y' or the channel-binding type after 'p=' */
  cbindFlag: 'n' | 'y' | 'p';
  cbName: string | undefined;
  /** decoded a= value, if any */
  authzid: string | undefined;
  /** the gs2 header exactly as sent, including its final comma */
  gs2Header: string;
  /** decoded n= value (before SASLprep) */
  username: string;
  clientNonce: string;
  /** client-first-message-bare, exactly as sent (it enters AuthMessage) */
  bare: string;
}

export interface ClientFinal {
  /** base64 of the channel-binding input, as sent */
  channelBinding: string;
  nonce: string;
  /** base64 of the proof, as sent */
  proof: string;
  /** client-final-message-without-proof, exactly as sent */
  withoutProof: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** RFC 5802 printable: %x21-2B / %x2D-7E (visible ASCII without the comma). */
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;
const CB_NAME = /^[A-Za-z0-9.-]+$/;

/** saslname: '=2C' is ',', '=3D' is '='; any other '=' and any ',' are errors. Null on error. */
export function decodeSaslName(value: string): string | null {
  if (value.includes(',')) return null;
  if (/=(?!2C|3D)/.test(value)) return null;
  return value.replace(/=2C|=3D/g, (m) => (m === '=2C' ? ',' : '='));
}

export function encodeSaslName(value: string): string {
  return value.replace(/[=,]/g, (c) => (c === '=' ? '=3D' : '=2C'));
}

/** Splits `k=v` attributes. `attrs` must all have a one-letter name. */
function attribute(part: string | undefined, name: string): string | null {
  if (part === undefined || !part.startsWith(`${name}=`)) return null;
  return part.slice(name.length + 1);
}

export function parseClientFirst(text: string): Parsed<ClientFirst> {
  const err = (error: string): Parsed<ClientFirst> => ({ ok: false, error });
  const parts = text.split(',');
  if (parts.length < 4) return err('client-first-message is too short');
  const flag = parts[0] as string;
  let cbindFlag: ClientFirst['cbindFlag'];
  let cbName: string | undefined;
  if (flag === 'n' || flag === 'y') cbindFlag = flag;
  else if (flag.startsWith('p=') && CB_NAME.test(flag.slice(2))) {
    cbindFlag = 'p';
    cbName = flag.slice(2);
  } else return err('bad channel-binding flag');

  const authzPart = parts[1] as string;
  let authzid: string | undefined;
  if (authzPart !== '') {
    const raw = attribute(authzPart, 'a');
    const decoded = raw === null ? null : decodeSaslName(raw);
    if (decoded === null || decoded === '') return err('bad authzid');
    authzid = decoded;
  }
  const rest = parts.slice(2);
  if (rest[0]?.startsWith('m=')) return err('mandatory extensions are not supported');
  const rawUser = attribute(rest[0], 'n');
  const username = rawUser === null ? null : decodeSaslName(rawUser);
  if (username === null || username === '') return err('bad username');
  const clientNonce = attribute(rest[1], 'r');
  if (clientNonce === null || !PRINTABLE.test(clientNonce)) return err('bad client nonce');
  for (const ext of rest.slice(2)) {
    if (!/^[A-Za-z]=/.test(ext)) return err('bad extension');
  }
  return {
    ok: true,
    value: {
      cbindFlag,
      cbName,
      authzid,
      gs2Header: `${flag},${authzPart},`,
      username,
      clientNonce,
      bare: rest.join(','),
    },
  };
}

export function parseClientFinal(text: string): Parsed<ClientFinal> {
  const err = (error: string): Parsed<ClientFinal> => ({ ok: false, error });
  const parts = text.split(',');
  if (parts.length < 3) return err('client-final-message is too short');
  const channelBinding = attribute(parts[0], 'c');
  const nonce = attribute(parts[1], 'r');
  const proof = attribute(parts[parts.length - 1], 'p');
  if (channelBinding === null || channelBinding === '') return err('missing channel binding');
  if (nonce === null || !PRINTABLE.test(nonce)) return err('bad nonce');
  if (proof === null || proof === '') return err('missing proof');
  for (const ext of parts.slice(2, -1)) {
    if (!/^[A-Za-z]=/.test(ext) || ext.startsWith('p=')) return err('bad extension');
  }
  return {
    ok: true,
    value: { channelBinding, nonce, proof, withoutProof: parts.slice(0, -1).join(',') },
  };
}
