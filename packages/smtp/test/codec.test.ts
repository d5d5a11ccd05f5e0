import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DataDecoder,
  encodeData,
  parseCommand,
  parsePathArgument,
  parseSize,
  protocolName,
  receivedHeader,
  reply,
  rfc5322Date,
} from '../src/codec/index.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('parseCommand', () => {
  it('splits the verb from the untouched rest', () => {
    expect(parseCommand(bytes('mail FROM:<a@b.c> SIZE=10'))).toEqual({ ok: true, verb: 'MAIL', arg: 'FROM:<a@b.c> SIZE=10' });
    expect(parseCommand(bytes('QUIT'))).toEqual({ ok: true, verb: 'QUIT', arg: '' });
    expect(parseCommand(bytes('AUTH PLAIN  x'))).toEqual({ ok: true, verb: 'AUTH', arg: 'PLAIN  x' });
  });

  it('refuses empty lines, NUL, invalid UTF-8 and odd verbs', () => {
    expect(parseCommand(bytes(''))).toEqual({ ok: false, reason: 'empty' });
    expect(parseCommand(Buffer.from([0x48, 0x45, 0x4c, 0x4f, 0x00]))).toEqual({ ok: false, reason: 'nul' });
    expect(parseCommand(Buffer.from([0x4d, 0x41, 0x49, 0x4c, 0x20, 0xff]))).toEqual({ ok: false, reason: 'encoding' });
    expect(parseCommand(bytes('<html>'))).toEqual({ ok: false, reason: 'verb' });
    expect(parseCommand(bytes(' EHLO x'))).toEqual({ ok: false, reason: 'verb' });
  });
});

describe('parsePathArgument', () => {
  it('parses a mailbox with ESMTP parameters', () => {
    const p = parsePathArgument('FROM:<alice@example.test> SIZE=1000 BODY=8BITMIME SMTPUTF8', 'FROM', true);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.address).toBe('alice@example.test');
    expect([...p.params]).toEqual([
      ['SIZE', '1000'],
      ['BODY', '8BITMIME'],
      ['SMTPUTF8', undefined],
    ]);
    expect(p.utf8).toBe(false);
  });

  it('accepts the null sender only where allowed, and postmaster as a recipient', () => {
    expect(parsePathArgument('FROM:<>', 'FROM', true)).toMatchObject({ ok: true, address: '' });
    expect(parsePathArgument('TO:<>', 'TO', false)).toEqual({ ok: false, reason: 'address' });
    expect(parsePathArgument('TO:<Postmaster>', 'TO', false)).toMatchObject({ ok: true, address: 'Postmaster' });
  });

  it('tolerates a space after the colon, ignores source routes, allows quoted local parts', () => {
    expect(parsePathArgument('to: <bob@example.test>', 'TO', false)).toMatchObject({ ok: true, address: 'bob@example.test' });
    expect(parsePathArgument('TO:<@relay.test,@r2.test:bob@example.test>', 'TO', false)).toMatchObject({
      ok: true,
      address: 'bob@example.test',
    });
    expect(parsePathArgument('TO:<"odd > name"@example.test>', 'TO', false)).toMatchObject({
      ok: true,
      address: '"odd > name"@example.test',
    });
    expect(parsePathArgument('TO:<bob@[192.0.2.1]>', 'TO', false)).toMatchObject({ ok: true });
  });

  it('marks UTF-8 addresses', () => {
    expect(parsePathArgument('TO:<jürgen@bücher.test>', 'TO', false)).toMatchObject({ ok: true, utf8: true });
  });

  it('refuses broken syntax, addresses and parameters', () => {
    expect(parsePathArgument('FROM alice@example.test', 'FROM', true)).toEqual({ ok: false, reason: 'syntax' });
    expect(parsePathArgument('FROM:alice@example.test', 'FROM', true)).toEqual({ ok: false, reason: 'syntax' });
    expect(parsePathArgument('FROM:<alice@example.test', 'FROM', true)).toEqual({ ok: false, reason: 'syntax' });
    expect(parsePathArgument('FROM:<a@b.test>X', 'FROM', true)).toEqual({ ok: false, reason: 'syntax' });
    expect(parsePathArgument('TO:<no-at-sign>', 'TO', false)).toEqual({ ok: false, reason: 'address' });
    expect(parsePathArgument('TO:<a b@example.test>', 'TO', false)).toEqual({ ok: false, reason: 'address' });
    expect(parsePathArgument('TO:<a@-bad-.test>', 'TO', false)).toEqual({ ok: false, reason: 'address' });
    expect(parsePathArgument(`TO:<${'a'.repeat(300)}@x.test>`, 'TO', false)).toEqual({ ok: false, reason: 'too-long' });
    expect(parsePathArgument('FROM:<a@b.test> SIZE=1 SIZE=2', 'FROM', true)).toEqual({ ok: false, reason: 'param' });
    expect(parsePathArgument('FROM:<a@b.test> =x', 'FROM', true)).toEqual({ ok: false, reason: 'param' });
  });

  it('parses SIZE values', () => {
    expect(parseSize('12345')).toBe(12345);
    expect(parseSize('-1')).toBeUndefined();
    expect(parseSize(undefined)).toBeUndefined();
    expect(parseSize('1e9')).toBeUndefined();
  });
});

describe('reply', () => {
  it('builds single and multi-line replies with enhanced codes', () => {
    expect(reply(250, 'OK', '2.0.0')).toBe('250 2.0.0 OK\r\n');
    expect(reply(250, ['host', 'SIZE 10', 'PIPELINING'])).toBe('250-host\r\n250-SIZE 10\r\n250 PIPELINING\r\n');
  });

  it('cannot be made to start a second reply', () => {
    expect(reply(550, 'bad\r\n250 OK', '5.0.0')).toBe('550 5.0.0 bad  250 OK\r\n');
  });
});

describe('Received header', () => {
  const facts = {
    helo: 'client.test',
    clientAddress: '192.0.2.7',
    account: 'alice@example.test',
    serverName: 'mail.example.test',
    esmtp: true,
    tls: true,
    smtputf8: false,
    id: 'ABC123',
    recipient: 'bob@example.test',
    date: new Date(Date.UTC(2024, 4, 21, 10, 0, 5)),
  };

  it('names the account, the client address, the protocol and the date', () => {
    const h = receivedHeader(facts);
    expect(h).toBe(
      'Received: from client.test ([192.0.2.7])\r\n' +
        '\t(authenticated as alice@example.test)\r\n' +
        '\tby mail.example.test (Portcullis) with ESMTPSA\r\n' +
        '\tid ABC123\r\n\tfor <bob@example.test>;\r\n' +
        '\tTue, 21 May 2024 10:00:05 +0000\r\n',
    );
  });

  it('keeps hostile EHLO names and accounts inside their fields', () => {
    const h = receivedHeader({ ...facts, helo: 'x) (evil\r\nBcc: y', account: 'a)(b\\c', clientAddress: '2001:db8::1' });
    expect(h.split('\r\n').every((l) => l === '' || l.startsWith('Received:') || l.startsWith('\t'))).toBe(true);
    expect(h).toContain('[IPv6:2001:db8::1]');
    expect(h).toContain('(authenticated as a??b?c)');
  });

  it('picks the RFC 3848 protocol names', () => {
    expect(protocolName({ esmtp: true, tls: false, smtputf8: false })).toBe('ESMTPA');
    expect(protocolName({ esmtp: true, tls: true, smtputf8: true })).toBe('UTF8SMTPSA');
    expect(rfc5322Date(new Date(Date.UTC(2025, 0, 1, 0, 0, 0)))).toBe('Wed, 1 Jan 2025 00:00:00 +0000');
  });
});

function decodeAll(input: Buffer, max = 1 << 30, split: number[] = []): { out: Buffer; decoder: DataDecoder; done: boolean; rest: Buffer } {
  const decoder = new DataDecoder(max);
  const parts: Buffer[] = [];
  let start = 0;
  let done = false;
  let rest: Buffer = Buffer.alloc(0);
  for (const end of [...split, input.length]) {
    const r = decoder.push(input.subarray(start, end));
    parts.push(r.out);
    start = end;
    if (r.done) {
      done = true;
      rest = r.rest;
      break;
    }
  }
  return { out: Buffer.concat(parts), decoder, done, rest };
}

describe('DataDecoder', () => {
  it('ends at CRLF.CRLF, removes dot-stuffing and keeps what follows', () => {
    const r = decodeAll(bytes('Subject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n'));
    expect(r.out.toString()).toBe('Subject: x\r\n\r\n.leading dot\r\n');
    expect(r.done).toBe(true);
    expect(r.rest.toString()).toBe('QUIT\r\n');
    expect(r.decoder.bareLineEnd).toBe(false);
  });

  it('takes an empty message', () => {
    const r = decodeAll(bytes('.\r\n'));
    expect(r).toMatchObject({ done: true });
    expect(r.out.length).toBe(0);
  });

  it('does not end at a bare LF dot (SMTP smuggling), and reports bare line ends', () => {
    const r = decodeAll(bytes('a\n.\nMAIL FROM:<x@y.z>\r\n'));
    expect(r.done).toBe(false);
    expect(r.decoder.bareLineEnd).toBe(true);
    const cr = decodeAll(bytes('a\r.\rb\r\n.\r\n'));
    expect(cr.done).toBe(true);
    expect(cr.decoder.bareLineEnd).toBe(true);
    const dotCr = decodeAll(bytes('x\r\n.\rb\r\n.\r\n'));
    expect(dotCr.done).toBe(true);
    expect(dotCr.decoder.bareLineEnd).toBe(true);
  });

  it('counts past the limit without keeping the bytes', () => {
    const r = decodeAll(bytes(`${'x'.repeat(100)}\r\n${'y'.repeat(100)}\r\n.\r\n`), 50);
    expect(r.done).toBe(true);
    expect(r.decoder.overflow).toBe(true);
    expect(r.out.length).toBe(50);
    expect(r.decoder.size).toBe(204);
  });

  it('round-trips random CRLF messages split at random points', () => {
    for (let i = 0; i < 300; i++) {
      const lines = Array.from({ length: randomInt(0, 12) }, () =>
        Array.from({ length: randomInt(0, 20) }, () => '.ab\t\x00é'[randomInt(0, 6)]).join(''),
      );
      const message = Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');
      const wire = encodeData(message);
      const split = Array.from({ length: randomInt(0, 5) }, () => randomInt(0, wire.length + 1)).sort((a, b) => a - b);
      const r = decodeAll(wire, 1 << 30, split);
      expect(r.done).toBe(true);
      expect(r.out.equals(message)).toBe(true);
      expect(r.decoder.bareLineEnd).toBe(false);
    }
  });

  it('never throws on random bytes and never returns more than it was given plus two', () => {
    for (let i = 0; i < 2000; i++) {
      const decoder = new DataDecoder(randomInt(1, 500));
      for (let j = 0; j < 4; j++) {
        const chunk = randomBytes(randomInt(0, 200));
        const r = decoder.push(chunk);
        expect(r.out.length).toBeLessThanOrEqual(chunk.length + 2);
        if (r.done) break;
      }
    }
  });
});

describe('parsers under random input', () => {
  it('never throw and always answer ok or a reason', () => {
    for (let i = 0; i < 3000; i++) {
      const raw = randomBytes(randomInt(0, 80));
      const cmd = parseCommand(raw);
      expect(typeof cmd.ok).toBe('boolean');
      const text = raw.toString('latin1');
      const p = parsePathArgument(`FROM:<${text}> ${text}`, 'FROM', true);
      if (!p.ok) expect(['syntax', 'address', 'param', 'too-long']).toContain(p.reason);
    }
  });
});
