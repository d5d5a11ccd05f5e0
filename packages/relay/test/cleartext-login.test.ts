import { describe, expect, it } from 'vitest';
import { cleartextFromSasl } from '../src/cleartext-login.js';

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
