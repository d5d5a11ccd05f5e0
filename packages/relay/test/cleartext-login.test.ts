import { describe, expect, it } from 'vitest';
import { cleartextFromSasl, recordCleartext } from '../src/cleartext-login.js';

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('cleartextFromSasl', () => {
  it('reads PLAIN: authzid, login name and password (spaces and UTF-8 kept)', () => {
    expect(cleartextFromSasl('PLAIN', [buf('\0alice\0pass wörd')])).toEqual({ authzid: '', loginName: 'alice', password: 'pass wörd' });
    expect(cleartextFromSasl('plain', [buf('bob@x\0alice\0pw')])).toEqual({ authzid: 'bob@x', loginName: 'alice', password: 'pw' });
  });

  it('reads LOGIN: the name, then the password', () => {
    expect(cleartextFromSasl('LOGIN', [buf('alice'), buf('pw')])).toEqual({ authzid: '', loginName: 'alice', password: 'pw' });
  });

  it('gives nothing for malformed or incomplete responses and for other mechanisms', () => {
    expect(cleartextFromSasl('PLAIN', [])).toBeUndefined();
    expect(cleartextFromSasl('PLAIN', [buf('alice\0pw')])).toBeUndefined();
    expect(cleartextFromSasl('PLAIN', [buf('\0\0pw')])).toBeUndefined();
    expect(cleartextFromSasl('PLAIN', [buf('a\0b\0c\0d')])).toBeUndefined();
    expect(cleartextFromSasl('LOGIN', [buf('alice')])).toBeUndefined();
    expect(cleartextFromSasl('CRAM-MD5', [buf('alice 0123')])).toBeUndefined();
    expect(cleartextFromSasl('SCRAM-SHA-256', [buf('n,,n=alice,r=x')])).toBeUndefined();
  });
});

describe('recordCleartext', () => {
  const exchangeOf = (mechanism: string) => {
    const seen: (Buffer | null)[] = [];
    return { seen, exchange: { mechanism, step: (input: Buffer | null) => (seen.push(input), 'next'), cancel: () => 'cancelled' } };
  };

  it('keeps the responses of a relaying PLAIN or LOGIN exchange, passes every step on, and gives the login once', () => {
    const { seen, exchange } = exchangeOf('LOGIN');
    const recorded = recordCleartext(exchange, true);
    expect(recorded.exchange).not.toBe(exchange);
    expect(recorded.exchange.step(null)).toBe('next');
    recorded.exchange.step(buf('alice'));
    recorded.exchange.step(buf('pw'));
    expect(recorded.exchange.cancel()).toBe('cancelled');
    expect(seen).toEqual([null, buf('alice'), buf('pw')]);
    expect(recorded.cleartext()).toEqual({ authzid: '', loginName: 'alice', password: 'pw' });
    // the password is not kept after it was read
    expect(recorded.cleartext()).toBeUndefined();
  });

  it('runs the exchange as it is when not relaying or for another mechanism', () => {
    for (const [mechanism, relaying] of [['PLAIN', false], ['CRAM-MD5', true]] as const) {
      const { exchange } = exchangeOf(mechanism);
      const recorded = recordCleartext(exchange, relaying);
      expect(recorded.exchange).toBe(exchange);
      recorded.exchange.step(buf('\0alice\0pw'));
      expect(recorded.cleartext()).toBeUndefined();
    }
  });
});
