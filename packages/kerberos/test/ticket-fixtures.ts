/**
 * What the GSSAPI and GSS-SPNEGO mechanism tests share: stored keys made by MIT ktutil, a
 * hand-built Kerberos initial token naming a chosen service, and a directory that resolves a
 * fixed set of domains by name or alias.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DomainSettings } from '@portcullis/auth-core';
import { parseKeytab } from '../src/keytab.js';
import { mergeKeys } from '../src/stored-keys.js';

/** The stored form of one aes256 key for `principal`, its keytab written by ktutil into `dir`. */
export function keysFor(dir: string, principal: string, kvno: number) {
  const file = join(dir, `${principal.replace(/\W/g, '_')}-${kvno}.keytab`);
  const script = `addent -password -p ${principal} -k ${kvno} -e aes256-cts-hmac-sha1-96\nsecret\nwkt ${file}\nquit\n`;
  execFileSync('ktutil', [], { input: script, stdio: ['pipe', 'ignore', 'ignore'] });
  return mergeKeys([], parseKeytab(readFileSync(file)));
}

/** DER tag-length-value, lengths up to 64 KiB. */
export function tlv(tag: number, body: Buffer): Buffer {
  const len = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

/** A Kerberos GSS initial token whose ticket names `components@realm` (the rest is filler). */
export function apReqToken(components: string[], realm: string): Buffer {
  const gstr = (s: string) => tlv(0x1b, Buffer.from(s));
  const int = (n: number) => tlv(0x02, Buffer.from([n]));
  const sname = tlv(0x30, Buffer.concat([tlv(0xa0, int(2)), tlv(0xa1, tlv(0x30, Buffer.concat(components.map(gstr))))]));
  const ticket = tlv(0x61, tlv(0x30, Buffer.concat([tlv(0xa0, int(5)), tlv(0xa1, gstr(realm)), tlv(0xa2, sname), tlv(0xa3, tlv(0x30, Buffer.alloc(8)))])));
  const apReq = tlv(0x6e, tlv(0x30, Buffer.concat([tlv(0xa0, int(5)), tlv(0xa1, int(14)), tlv(0xa3, ticket)])));
  const oid = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]);
  return tlv(0x60, Buffer.concat([oid, Buffer.from([0x01, 0x00]), apReq]));
}

/** resolveDomain over `domains`, by name or alias. */
export function directoryOf(domains: Record<string, DomainSettings>) {
  return {
    resolveDomain: async (n: string) => Object.values(domains).find((d) => d.name === n || d.aliases?.includes(n)) ?? null,
  };
}
