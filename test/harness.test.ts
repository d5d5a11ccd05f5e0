/** The harness's own hand-written parts, checked against the RFCs' vectors before they judge the server. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type tls from 'node:tls';
import { freePorts } from './harness/ports.js';
import { LineClient } from './harness/line-client.js';
import { proxyV1, proxyV2 } from './harness/proxy-header.js';
import { ScramClient } from './harness/scram.js';
import { apopDigest, cramMd5Response } from './harness/sasl.js';

describe('SCRAM client', () => {
  it('matches RFC 5802 (SCRAM-SHA-1)', () => {
    const c = new ScramClient({ hash: 'sha1', user: 'user', password: 'pencil', nonce: 'fyko+d2lbbFgONRv9qkxdawL' });
    expect(c.clientFirst().toString()).toBe('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
    const final = c.clientFinal(Buffer.from('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'));
    expect(final.toString()).toBe('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
    expect(c.verifyServerFinal(Buffer.from('v=rmF9pqV8S7suAoZWja4dJRkFsKQ='))).toBe(true);
    expect(c.verifyServerFinal(Buffer.from('v=AmF9pqV8S7suAoZWja4dJRkFsKQ='))).toBe(false);
  });

  it('matches RFC 7677 (SCRAM-SHA-256)', () => {
    const c = new ScramClient({ hash: 'sha256', user: 'user', password: 'pencil', nonce: 'rOprNGfwEbeRWgbNEkqO' });
    const final = c.clientFinal(
      Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'),
    );
    expect(final.toString()).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    expect(c.verifyServerFinal(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))).toBe(true);
  });

  it('refuses a server nonce that does not extend its own', () => {
    const c = new ScramClient({ hash: 'sha256', user: 'u', password: 'p', nonce: 'abc' });
    expect(() => c.clientFinal(Buffer.from('r=xyz123,s=QSXCR+Q6sek8bf92,i=4096'))).toThrow(/nonce/);
  });

  it('puts the binding data after the gs2 header in c=', () => {
    const fake = {} as tls.TLSSocket;
    const c = new ScramClient({
      hash: 'sha256', user: 'u', password: 'p', nonce: 'abc',
      binding: { type: 'tls-exporter', socket: fake, override: Buffer.from([1, 2, 3]) },
    });
    expect(c.clientFirst().toString()).toBe('p=tls-exporter,,n=u,r=abc');
    const final = c.clientFinal(Buffer.from('r=abcdef,s=QSXCR+Q6sek8bf92,i=1')).toString();
    const cb = Buffer.from(/^c=([^,]+)/.exec(final)![1]!, 'base64');
    expect(cb).toEqual(Buffer.concat([Buffer.from('p=tls-exporter,,'), Buffer.from([1, 2, 3])]));
  });
});

describe('CRAM-MD5 and APOP', () => {
  it('match RFC 2195 and RFC 1939', () => {
    const r = cramMd5Response('tim', 'tanstaaftanstaaf', Buffer.from('<1896.697170952@postoffice.reston.mci.net>'));
    expect(r.toString()).toBe('tim b913a602c7eda7a495b4e6e7334d3890');
    expect(apopDigest('<1896.697170952@dbc.mtview.ca.us>', 'tanstaaf')).toBe('c4c9334bac560ecc979e58001b3e22fb');
  });
});

describe('PROXY headers', () => {
  it('v1 is one text line', () => {
    expect(proxyV1({ source: '192.0.2.7', sourcePort: 1234, destinationPort: 143 }).toString()).toBe(
      'PROXY TCP4 192.0.2.7 127.0.0.1 1234 143\r\n',
    );
  });

  it('v2 carries the signature, command, family and addresses', () => {
    const h = proxyV2({ source: '10.1.2.3', sourcePort: 0x1234, destinationPort: 143 });
    expect(h.subarray(0, 12).toString('hex')).toBe('0d0a0d0a000d0a515549540a');
    expect([...h.subarray(12, 16)]).toEqual([0x21, 0x11, 0, 12]);
    expect([...h.subarray(16, 20)]).toEqual([10, 1, 2, 3]);
    expect([...h.subarray(20, 24)]).toEqual([127, 0, 0, 1]);
    expect(h.readUInt16BE(24)).toBe(0x1234);
    const v6 = proxyV2({ source: '2001:db8::8' });
    expect(v6[13]).toBe(0x21);
    expect(v6.readUInt16BE(14)).toBe(36);
    expect(v6.subarray(16, 32).toString('hex')).toBe('20010db8000000000000000000000008');
    expect(v6.subarray(32, 48).toString('hex')).toBe('00000000000000000000000000000001');
  });
});

describe('line client', () => {
  it('reads lines split across packets, sees closes, and times out', async () => {
    const [port] = await freePorts(1);
    const server = net.createServer((s) => {
      s.write('* OK hel');
      setTimeout(() => s.write('lo\r\nsecond\n'), 50);
      s.on('data', (d) => {
        if (d.toString().startsWith('bye')) s.end('gone\r\n');
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const c = await LineClient.connect(port!);
      expect(await c.readLine()).toBe('* OK hello');
      expect(await c.readLine()).toBe('second');
      await expect(c.readLine(200)).rejects.toThrow(/no line within/);
      c.send('bye');
      expect(await c.readLine()).toBe('gone');
      expect(await c.waitClosed(2000)).toBe(true);
      await expect(c.readLine()).rejects.toThrow(/closed/);
    } finally {
      server.close();
    }
  });
});
