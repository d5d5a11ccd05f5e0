/** PROXY protocol headers (v1 text, v2 binary) as HAProxy sends them, to present other client addresses. */
import net from 'node:net';

export interface ProxyAddresses {
  source: string;
  sourcePort?: number;
  destination?: string;
  destinationPort?: number;
}

export function proxyV1(a: ProxyAddresses): Buffer {
  const family = net.isIPv6(a.source) ? 'TCP6' : 'TCP4';
  const dst = a.destination ?? (family === 'TCP6' ? '::1' : '127.0.0.1');
  return Buffer.from(`PROXY ${family} ${a.source} ${dst} ${a.sourcePort ?? 40000} ${a.destinationPort ?? 143}\r\n`);
}

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

export function proxyV2(a: ProxyAddresses): Buffer {
  const v6 = net.isIPv6(a.source);
  const dst = a.destination ?? (v6 ? '::1' : '127.0.0.1');
  const addr = v6
    ? Buffer.concat([ipv6Bytes(a.source), ipv6Bytes(dst)])
    : Buffer.concat([ipv4Bytes(a.source), ipv4Bytes(dst)]);
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(a.sourcePort ?? 40000, 0);
  ports.writeUInt16BE(a.destinationPort ?? 143, 2);
  const body = Buffer.concat([addr, ports]);
  const head = Buffer.alloc(4);
  head[0] = 0x21; // version 2, PROXY command
  head[1] = v6 ? 0x21 : 0x11; // AF_INET6|AF_INET, STREAM
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([V2_SIGNATURE, head, body]);
}

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map((p) => Number(p)));
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
