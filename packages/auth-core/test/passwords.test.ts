import { describe, expect, it } from 'vitest';
import {
  clearSecretOf,
  dummyVerify,
  encodePassword,
  isOneWay,
  verifyStoredPassword,
} from '../src/passwords/index.js';

describe('clear passwords', () => {
  it('stores with the {clear} prefix and verifies exactly', async () => {
    const stored = await encodePassword('Secret1', 'clear');
    expect(stored).toBe('{clear}Secret1');
    expect(await verifyStoredPassword(stored, 'Secret1')).toBe(true);
    expect(await verifyStoredPassword(stored, 'secret1')).toBe(false);
    expect(await verifyStoredPassword(stored, 'Secret12')).toBe(false);
    expect(clearSecretOf(stored)).toBe('Secret1');
    expect(isOneWay(stored)).toBe(false);
  });

  it('reads an unprefixed string as clear text, and a clear password that looks like a prefix', async () => {
    expect(await verifyStoredPassword('plainpw', 'plainpw')).toBe(true);
    expect(clearSecretOf('plainpw')).toBe('plainpw');
    const odd = await encodePassword('{U-crpt}abc', 'clear');
    expect(await verifyStoredPassword(odd, '{U-crpt}abc')).toBe(true);
    expect(clearSecretOf(odd)).toBe('{U-crpt}abc');
  });

  it('never matches with an unknown scheme', async () => {
    expect(await verifyStoredPassword('{rot13}frperg', 'frperg')).toBe(false);
    expect(clearSecretOf('{rot13}frperg')).toBeNull();
  });
});

describe('absent or empty passwords never log in', () => {
  it.each([undefined, null, '', '{clear}', '{U-crpt}', '{UB-crpt}'])('stored %j', async (stored) => {
    expect(await verifyStoredPassword(stored, '')).toBe(false);
    expect(await verifyStoredPassword(stored, 'anything')).toBe(false);
    expect(clearSecretOf(stored)).toBeNull();
  });

  it('an empty plain password does not match even an empty-looking hash', async () => {
    expect(await verifyStoredPassword(await encodePassword('x', 'clear'), '')).toBe(false);
  });
});

describe('U-crpt (DES crypt)', () => {
  it('stores a 13-character crypt string', async () => {
    const stored = await encodePassword('password', 'U-crpt');
    expect(stored).toMatch(/^\{U-crpt\}[./0-9A-Za-z]{13}$/);
    expect(await verifyStoredPassword(stored, 'password')).toBe(true);
    expect(await verifyStoredPassword(stored, 'passwore')).toBe(false);
    expect(clearSecretOf(stored)).toBeNull();
    expect(isOneWay(stored)).toBe(true);
  });

  it('checks the classic crypt(3) test vector', async () => {
    expect(await verifyStoredPassword('{U-crpt}abJnggxhB/yWI', 'password')).toBe(true);
    expect(await verifyStoredPassword('{U-crpt}abJnggxhB/yWI', 'Password')).toBe(false);
  });

  it('only the first 8 characters count', async () => {
    const stored = await encodePassword('longpassword', 'U-crpt');
    expect(await verifyStoredPassword(stored, 'longpass')).toBe(true);
    expect(await verifyStoredPassword(stored, 'longpassXYZ')).toBe(true);
    expect(await verifyStoredPassword(stored, 'longpas')).toBe(false);
  });

  it('refuses a malformed crypt string', async () => {
    expect(await verifyStoredPassword('{U-crpt}short', 'short')).toBe(false);
  });
});

describe('UB-crpt (bcrypt)', () => {
  it('stores a $2b$ hash and verifies it', async () => {
    const stored = await encodePassword('correct horse battery', 'UB-crpt');
    expect(stored).toMatch(/^\{UB-crpt\}\$2b\$10\$/);
    expect(await verifyStoredPassword(stored, 'correct horse battery')).toBe(true);
    expect(await verifyStoredPassword(stored, 'correct horse battery!')).toBe(false);
    expect(clearSecretOf(stored)).toBeNull();
  });

  it('has no 8-character limit', async () => {
    const stored = await encodePassword('longpassword', 'UB-crpt');
    expect(await verifyStoredPassword(stored, 'longpass')).toBe(false);
  });

  it('accepts $2a$/$2y$ hashes from other systems', async () => {
    const stored = await encodePassword('legacy', 'UB-crpt');
    const asY = stored.replace('$2b$', '$2y$');
    expect(await verifyStoredPassword(asY, 'legacy')).toBe(true);
  });
});

describe('dummyVerify', () => {
  it('always answers no', async () => {
    for (const enc of ['clear', 'U-crpt', 'UB-crpt'] as const) {
      expect(await dummyVerify(enc, 'portcullis-dummy-password')).toBe(false);
    }
  });
});
