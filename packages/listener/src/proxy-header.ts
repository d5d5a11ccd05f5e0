/**
 * PROXY protocol header parser (HAProxy's proxy-protocol.txt, versions 1 and 2). A pure function
 * over the bytes received so far, so it can be fuzzed and unit-tested without sockets.
 */
import ipaddr from 'ipaddr.js';

export interface ProxyEndpoint {
  address: string;
  port: number;
}

export interface ProxyHeader {
  version: 1 | 2;
  /**
   * 'proxy': source/destination describe the real client; 'local': the connection is the proxy's
   * own (health check, v2 LOCAL, v1 UNKNOWN, v2 UNSPEC) and the socket's addresses apply.
   */
  command: 'proxy' | 'local';
  source?: ProxyEndpoint;
  destination?: ProxyEndpoint;
}

export type ProxyParseResult =
  | { status: 'incomplete' }
  | { status: 'invalid'; reason: string }
  | { status: 'ok'; header: ProxyHeader; /** bytes the header took; what follows is the client's */ length: number };

export const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** the v1 specification's worst case, CRLF included */
export const PROXY_V1_MAX_LENGTH = 107;
/** far above what HAProxy sends (addresses plus a few TLVs), small enough to bound memory */
export const PROXY_V2_MAX_LENGTH = 16 + 2048;

function isPrefixOf(buf: Buffer, full: Buffer): boolean {
  const n = Math.min(buf.length, full.length);
  return buf.subarray(0, n).equals(full.subarray(0, n));
}

/** Parse the PROXY header at the start of buf. */
export function parseProxyHeader(buf: Buffer): ProxyParseResult {
  if (buf.length === 0) return { status: 'incomplete' };
  if (buf[0] === 0x0d) {
    if (!isPrefixOf(buf, PROXY_V2_SIGNATURE)) return invalid('not a PROXY header');
    return parseV2(buf);
  }
  if (!isPrefixOf(buf, V1_PREFIX)) return invalid('not a PROXY header');
  return parseV1(buf);
}

function invalid(reason: string): ProxyParseResult {
  return { status: 'invalid', reason };
}

const DECIMAL_PORT = /^(0|[1-9][0-9]{0,4})$/;

function v1Port(text: string): number | undefined {
  if (!DECIMAL_PORT.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

function v1Address(text: string, kind: 'ipv4' | 'ipv6'): string | undefined {
  if (kind === 'ipv4') {
    // the v1 text form is the dotted quad only, not ipaddr.js's lenient forms (0x7f.1, 127.1)
    return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text).toString() : undefined;
  }
  if (!ipaddr.IPv6.isValid(text) || text.includes('%')) return undefined;
  return ipaddr.process(text).toString();
}

function parseV1(buf: Buffer): ProxyParseResult {
  const lf = buf.indexOf(0x0a);
  if (lf < 0) {
    return buf.length >= PROXY_V1_MAX_LENGTH ? invalid('v1 header too long') : { status: 'incomplete' };
  }
  const length = lf + 1;
  if (length > PROXY_V1_MAX_LENGTH) return invalid('v1 header too long');
  if (lf === 0 || buf[lf - 1] !== 0x0d) return invalid('v1 header must end with CRLF');
  const line = buf.subarray(0, lf - 1);
  for (const byte of line) {
    if (byte < 0x20 || byte > 0x7e) return invalid('v1 header has a non-printable byte');
  }
  const parts = line.toString('latin1').split(' ');
  if (parts[1] === 'UNKNOWN') {
    // anything may follow UNKNOWN; the receiver ignores it and keeps the socket's addresses
    return { status: 'ok', header: { version: 1, command: 'local' }, length };
  }
  if (parts.length !== 6) return invalid('v1 header needs 6 fields');
  const [, proto, src, dst, sport, dport] = parts as [string, string, string, string, string, string];
  let kind: 'ipv4' | 'ipv6';
  if (proto === 'TCP4') kind = 'ipv4';
  else if (proto === 'TCP6') kind = 'ipv6';
  else return invalid(`v1 protocol ${JSON.stringify(proto)} unknown`);
  const source = v1Address(src, kind);
  const destination = v1Address(dst, kind);
  if (!source || !destination) return invalid(`v1 address not ${proto}`);
  const sourcePort = v1Port(sport);
  const destinationPort = v1Port(dport);
  if (sourcePort === undefined || destinationPort === undefined) return invalid('v1 port invalid');
  return {
    status: 'ok',
    length,
    header: {
      version: 1,
      command: 'proxy',
      source: { address: source, port: sourcePort },
      destination: { address: destination, port: destinationPort },
    },
  };
}

function v6Text(bytes: Buffer): string {
  return ipaddr.process(ipaddr.fromByteArray([...bytes]).toString()).toString();
}

function parseV2(buf: Buffer): ProxyParseResult {
  if (buf.length < 16) return { status: 'incomplete' };
  const verCmd = buf[12] as number;
  const famProto = buf[13] as number;
  const bodyLength = buf.readUInt16BE(14);
  if (verCmd >> 4 !== 2) return invalid('v2 version nibble is not 2');
  const command = verCmd & 0x0f;
  if (command > 1) return invalid('v2 command unknown');
  const length = 16 + bodyLength;
  if (length > PROXY_V2_MAX_LENGTH) return invalid('v2 header too long');
  const family = famProto >> 4;
  const transport = famProto & 0x0f;
  if (family > 3 || transport > 2) return invalid('v2 address family or protocol unknown');
  if (buf.length < length) return { status: 'incomplete' };

  if (command === 0) {
    // LOCAL: the proxy speaking for itself; the address block, if any, is ignored
    return { status: 'ok', length, header: { version: 2, command: 'local' } };
  }
  if (family === 0) {
    // PROXY with UNSPEC: the specification asks receivers to use the real connection endpoints
    return { status: 'ok', length, header: { version: 2, command: 'local' } };
  }
  if (transport !== 1) return invalid('v2 transport is not STREAM');
  const body = buf.subarray(16, length);
  if (family === 1) {
    if (body.length < 12) return invalid('v2 IPv4 address block too short');
    return {
      status: 'ok',
      length,
      header: {
        version: 2,
        command: 'proxy',
        source: { address: [...body.subarray(0, 4)].join('.'), port: body.readUInt16BE(8) },
        destination: { address: [...body.subarray(4, 8)].join('.'), port: body.readUInt16BE(10) },
      },
    };
  }
  if (family === 2) {
    if (body.length < 36) return invalid('v2 IPv6 address block too short');
    return {
      status: 'ok',
      length,
      header: {
        version: 2,
        command: 'proxy',
        source: { address: v6Text(body.subarray(0, 16)), port: body.readUInt16BE(32) },
        destination: { address: v6Text(body.subarray(16, 32)), port: body.readUInt16BE(34) },
      },
    };
  }
  return invalid('v2 UNIX-socket addresses are not supported');
}

/** Build a v1 header (for tests and for relaying to an upstream that wants one). */
export function buildProxyV1(source: ProxyEndpoint, destination: ProxyEndpoint): Buffer {
  const v6 = source.address.includes(':');
  return Buffer.from(
    `PROXY ${v6 ? 'TCP6' : 'TCP4'} ${source.address} ${destination.address} ${source.port} ${destination.port}\r\n`,
    'latin1',
  );
}

/** Build a v2 PROXY (or, without endpoints, LOCAL) header; tlvs are appended as given. */
export function buildProxyV2(
  endpoints?: { source: ProxyEndpoint; destination: ProxyEndpoint },
  tlvs: Buffer = Buffer.alloc(0),
): Buffer {
  if (!endpoints) {
    const head = Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x20, 0x00, 0, 0])]);
    head.writeUInt16BE(tlvs.length, 14);
    return Buffer.concat([head, tlvs]);
  }
  const src = ipaddr.parse(endpoints.source.address);
  const dst = ipaddr.parse(endpoints.destination.address);
  const v6 = src.kind() === 'ipv6';
  const addrLen = v6 ? 16 : 4;
  const body = Buffer.alloc(addrLen * 2 + 4);
  Buffer.from(src.toByteArray()).copy(body, 0);
  if (dst.kind() !== src.kind()) throw new Error('source and destination must be the same address family');
  Buffer.from(dst.toByteArray()).copy(body, addrLen);
  body.writeUInt16BE(endpoints.source.port, addrLen * 2);
  body.writeUInt16BE(endpoints.destination.port, addrLen * 2 + 2);
  const head = Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x21, v6 ? 0x21 : 0x11, 0, 0])]);
  head.writeUInt16BE(body.length + tlvs.length, 14);
  return Buffer.concat([head, body, tlvs]);
}
