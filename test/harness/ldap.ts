/**
 * LDAP from the outside: OpenLDAP's ldapwhoami/ldapsearch (with Cyrus SASL from libsasl2-modules),
 * and a few hand-built BER messages for raw-socket tests. The BER here is written by hand on
 * purpose: it shares no code with the server's codec, so it checks the wire format, not itself.
 */
import fs from 'node:fs';
import { run, type RunResult } from './run.js';

/** where Debian's libsasl2-modules puts the client plugins */
const SASL_PLUGIN_DIR = '/usr/lib/x86_64-linux-gnu/sasl2';

/** Cyrus SASL mechanisms the OpenLDAP tools can use here (SCRAM needs libsasl2-modules >= 2.1.27). */
export function cyrusMechanisms(): string[] {
  const have = (lib: string): boolean => fs.existsSync(`${SASL_PLUGIN_DIR}/${lib}`);
  const out: string[] = [];
  if (have('libplain.so')) out.push('PLAIN');
  if (have('liblogin.so')) out.push('LOGIN');
  if (have('libcrammd5.so')) out.push('CRAM-MD5');
  if (have('libdigestmd5.so')) out.push('DIGEST-MD5');
  if (have('libscram.so')) out.push('SCRAM-SHA-1', 'SCRAM-SHA-256');
  return out;
}

export type LdapTransport = 'plain' | 'starttls' | 'ldaps';

export type LdapBind =
  | { kind: 'anonymous' }
  | { kind: 'simple'; name: string; password: string }
  | { kind: 'sasl'; mechanism: string; user: string; password: string; authzid?: string };

export interface LdapTarget {
  port: number;
  transport: LdapTransport;
}

const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  // a self-signed certificate; and no ~/.ldaprc or /etc/ldap/ldap.conf defaults
  LDAPTLS_REQCERT: 'never',
  LDAPCONF: '/nonexistent/ldap.conf',
  LDAPRC: 'nonexistent-ldaprc',
};

function connectionArgs(t: LdapTarget): string[] {
  const scheme = t.transport === 'ldaps' ? 'ldaps' : 'ldap';
  return ['-H', `${scheme}://127.0.0.1:${t.port}`, ...(t.transport === 'starttls' ? ['-ZZ'] : []), '-o', 'nettimeout=10'];
}

function bindArgs(b: LdapBind): string[] {
  switch (b.kind) {
    case 'anonymous':
      return ['-x'];
    case 'simple':
      return ['-x', '-D', b.name, '-w', b.password];
    case 'sasl':
      // -N: no reverse-DNS canonicalisation of the host; -O none: let PLAIN/LOGIN run without TLS
      return ['-Y', b.mechanism, '-U', b.user, '-w', b.password, '-N', '-O', 'none', ...(b.authzid ? ['-X', b.authzid] : [])];
  }
}

export function ldapwhoami(t: LdapTarget, b: LdapBind): Promise<RunResult> {
  return run('ldapwhoami', [...connectionArgs(t), ...bindArgs(b)], { env: ENV, timeoutMs: 20_000 });
}

export function ldapsearch(t: LdapTarget, b: LdapBind, searchArgs: string[]): Promise<RunResult> {
  return run('ldapsearch', [...connectionArgs(t), ...bindArgs(b), '-LLL', ...searchArgs], { env: ENV, timeoutMs: 20_000 });
}

/** `additional info:` of an OpenLDAP tool's error output (the server's diagnosticMessage) */
export function additionalInfo(res: RunResult): string {
  return /additional info: (.*)/.exec(res.stderr)?.[1]?.trim() ?? '';
}

/** attribute values of an LDIF output, by attribute name */
export function ldifValues(ldif: string, attribute: string): string[] {
  const unfolded = ldif.replace(/\n /g, '');
  const re = new RegExp(`^${attribute}: (.*)$`, 'gmi');
  return [...unfolded.matchAll(re)].map((m) => m[1]!.trim());
}

// --- hand-built BER ---------------------------------------------------------------------------------

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

/** LDAPMessage { id, BindRequest { version 3, name, simple [0] password } } */
export function berSimpleBind(messageId: number, name: string, password: string): Buffer {
  const bind = tlv(0x60, Buffer.concat([tlv(0x02, Buffer.from([3])), tlv(0x04, Buffer.from(name)), tlv(0x80, Buffer.from(password))]));
  return tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([messageId])), bind]));
}

/** LDAPMessage { id, BindRequest { version 3, '', sasl [3] { mechanism } } } with no credentials */
export function berSaslBindStart(messageId: number, mechanism: string): Buffer {
  const bind = tlv(0x60, Buffer.concat([tlv(0x02, Buffer.from([3])), tlv(0x04, Buffer.alloc(0)), tlv(0xa3, tlv(0x04, Buffer.from(mechanism)))]));
  return tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([messageId])), bind]));
}

export interface BerReply {
  messageId: number;
  /** the protocolOp's tag byte: 0x61 BindResponse, 0x78 ExtendedResponse ... */
  opTag: number;
  resultCode: number;
  /** the whole message, to look for strings such as an OID */
  bytes: Buffer;
}

function readLength(buf: Buffer, at: number): { length: number; next: number } {
  const first = buf[at]!;
  if (first < 0x80) return { length: first, next: at + 1 };
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + buf[at + 1 + i]!;
  return { length, next: at + 1 + count };
}

/** Every whole LDAPMessage in `buf` that carries an LDAPResult (all of this server's responses). */
export function parseReplies(buf: Buffer): BerReply[] {
  const out: BerReply[] = [];
  let at = 0;
  while (at + 2 <= buf.length && buf[at] === 0x30) {
    const { length, next } = readLength(buf, at + 1);
    const end = next + length;
    if (end > buf.length) break;
    // messageID INTEGER
    const idLen = readLength(buf, next + 1);
    let messageId = 0;
    for (let i = 0; i < idLen.length; i++) messageId = messageId * 256 + buf[idLen.next + i]!;
    const opAt = idLen.next + idLen.length;
    const opTag = buf[opAt]!;
    const op = readLength(buf, opAt + 1);
    // resultCode ENUMERATED, the op's first field
    const rc = readLength(buf, op.next + 1);
    out.push({ messageId, opTag, resultCode: buf[rc.next]!, bytes: buf.subarray(at, end) });
    at = end;
  }
  return out;
}

export const NOTICE_OF_DISCONNECTION = '1.3.6.1.4.1.1466.20036';
