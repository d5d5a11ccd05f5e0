/**
 * MIT keytab files (format 0x0502, big-endian; 0x0501 native-endian is refused): read them into
 * entries, and write entries back into one. Hand-written because no maintained npm package reads
 * keytabs, and the format is small and fixed (MIT src/lib/krb5/keytab/kt_file.c).
 */

/** One key of one principal, as a keytab holds it and as a domain stores it. */
export interface KeytabEntry {
  realm: string;
  /** principal name components, e.g. ['imap', 'mail.example.com'] */
  components: string[];
  /** KRB5_NT_* name type (1 principal, 3 service-host) */
  nameType: number;
  /** seconds since the epoch when the key was written */
  timestamp: number;
  kvno: number;
  /** encryption type number (17 aes128-cts-hmac-sha1-96, 18 aes256-cts-hmac-sha1-96, ...) */
  enctype: number;
  key: Buffer;
}

export class KeytabFormatError extends Error {
  override name = 'KeytabFormatError';
}

const VERSION_2 = 0x0502;
/** No real entry is anywhere near this; a bigger size is a corrupt or hostile file. */
const MAX_ENTRY = 64 * 1024;

class Reader {
  private pos: number;
  constructor(
    private readonly buf: Buffer,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new KeytabFormatError('keytab entry is truncated');
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(): Buffer {
    const n = this.u16();
    this.need(n);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }
  text(): string {
    return this.bytes().toString('utf8');
  }
  remaining(): number {
    return this.end - this.pos;
  }
}

/** All live entries of a keytab file (holes left by deleted entries are skipped). */
export function parseKeytab(data: Buffer): KeytabEntry[] {
  if (data.length < 2) throw new KeytabFormatError('not a keytab: too short');
  const version = data.readUInt16BE(0);
  if (version !== VERSION_2) {
    throw new KeytabFormatError(`unsupported keytab version 0x${version.toString(16).padStart(4, '0')} (need 0x0502)`);
  }
  const entries: KeytabEntry[] = [];
  let pos = 2;
  while (pos + 4 <= data.length) {
    const size = data.readInt32BE(pos);
    pos += 4;
    if (size === 0) break; // the end marker MIT leaves after the last entry
    const len = Math.abs(size);
    if (len > MAX_ENTRY) throw new KeytabFormatError('keytab entry is too large');
    if (pos + len > data.length) throw new KeytabFormatError('keytab entry is truncated');
    if (size > 0) entries.push(parseEntry(data, pos, pos + len));
    pos += len;
  }
  return entries;
}

function parseEntry(data: Buffer, start: number, end: number): KeytabEntry {
  const r = new Reader(data, start, end);
  const count = r.u16();
  const realm = r.text();
  const components: string[] = [];
  for (let i = 0; i < count; i++) components.push(r.text());
  const nameType = r.u32();
  const timestamp = r.u32();
  let kvno = r.u8();
  const enctype = r.u16();
  const key = r.bytes();
  // a 32-bit kvno follows when there is room; zero means "use the 8-bit one"
  if (r.remaining() >= 4) {
    const kvno32 = r.u32();
    if (kvno32 !== 0) kvno = kvno32;
  }
  if (realm === '' || components.length === 0) throw new KeytabFormatError('keytab entry has an empty principal');
  return { realm, components, nameType, timestamp, kvno, enctype, key };
}

function counted(text: string | Buffer): Buffer {
  const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  if (body.length > 0xffff) throw new KeytabFormatError('keytab field is too long');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

/** A keytab file (0x0502) holding `entries`, readable by MIT GSS-API. */
export function writeKeytab(entries: readonly KeytabEntry[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x05, 0x02])];
  for (const e of entries) {
    const enctype = Buffer.alloc(2);
    enctype.writeUInt16BE(e.enctype);
    const body = Buffer.concat([
      Buffer.from([(e.components.length >> 8) & 0xff, e.components.length & 0xff]),
      counted(e.realm),
      ...e.components.map((c) => counted(c)),
      u32(e.nameType),
      u32(e.timestamp),
      Buffer.from([e.kvno > 255 ? 0 : e.kvno]),
      enctype,
      counted(e.key),
      u32(e.kvno),
    ]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    parts.push(size, body);
  }
  return Buffer.concat(parts);
}

/** `imap/host@REALM` */
export function principalName(entry: Pick<KeytabEntry, 'components' | 'realm'>): string {
  return `${entry.components.join('/')}@${entry.realm}`;
}

const ENCTYPE_NAMES: Record<number, string> = {
  1: 'des-cbc-crc',
  3: 'des-cbc-md5',
  16: 'des3-cbc-sha1',
  17: 'aes128-cts-hmac-sha1-96',
  18: 'aes256-cts-hmac-sha1-96',
  19: 'aes128-cts-hmac-sha256-128',
  20: 'aes256-cts-hmac-sha384-192',
  23: 'arcfour-hmac',
  25: 'camellia128-cts-cmac',
  26: 'camellia256-cts-cmac',
};

export function enctypeName(enctype: number): string {
  return ENCTYPE_NAMES[enctype] ?? `enctype-${enctype}`;
}
