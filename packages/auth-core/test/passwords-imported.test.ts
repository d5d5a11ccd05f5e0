import { afterEach, describe, expect, it } from 'vitest';
import {
  clearSecretOf,
  dummyVerify,
  encodePassword,
  isImportedHash,
  isOneWay,
  registerCryptVerifier,
  verifyStoredPassword,
} from '../src/index.js';

// Vectors: sha-crypt from its specification (Drepper) and `openssl passwd -5/-6`; md5-crypt and
// apr1 from `openssl passwd -1/-apr1`; bcrypt $2y$/$2a$/$2b$ and the rounds= forms from libxcrypt
// (Python's crypt module); {SHA}/{SSHA}/{MD5}/{SMD5}/{SSHA512} built with `openssl dgst` and
// `slappasswd`. Each is checked against the right password, a wrong one and a truncated one.
const VECTORS: [string, string, string][] = [
  ['$5$ (spec)', 'Hello world!', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
  ['$5$ rounds= (spec)', 'Hello world!', '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA'],
  ['$6$ (spec)', 'Hello world!', '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
  ['$6$ rounds=', 'Hello world!', '$6$rounds=1400$anotherlongsalts$5FGyu8c4BZDX4wJgs0Un26YOw2XibT5eTkHF1I1aP3QqStoJI9BHD2YPJYsAjEePVGUyBjdZxcNqMWlrrbIOC.'],
  ['$5$ UTF-8 (openssl)', 'pässwörd', '$5$abcdefghijklmnop$oJUHl0E.sWtLagpkiB0578fobIqGuCJIrtZGjzoAvp2'],
  ['$6$ UTF-8 (openssl)', 'pässwörd', '$6$abcdefghijklmnop$Z142AM4CbyHnvFikRKauX.vgsnvjYLvt4bZlZZZrlgVhDW0zltnUun6G9I5xvVirZ/Y9MRz96lJh5eoUicidR.'],
  ['$1$ UTF-8 (openssl)', 'pässwörd', '$1$abcdefgh$xYuxUFvxUOR4Pd6a7EeUS0'],
  ['$apr1$ UTF-8 (openssl)', 'pässwörd', '$apr1$abcdefgh$030j6I3f1zNCF9tihqdd11'],
  ['$2y$ UTF-8', 'pässwörd', '$2y$05$abcdefghijklmnopqrstuuZVEMa1pjhlynBQ1qXmSvGBJpN9h1w8G'],
  ['$2a$', 'secret', '$2a$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a'],
  ['$2b$', 'secret', '$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a'],
  ['{SHA}', 'secret', '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ='],
  ['{SSHA} (openssl)', 'secret', '{SSHA}1G904nLkTkGWjKNnQuB/hpWXC/hzYWx0c2FsdA=='],
  ['{SSHA} (slappasswd)', 'secret', '{SSHA}YqvuoljLARhD2Hvk1b78idKV8gRPOpo5'],
  ['{MD5}', 'secret', '{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ=='],
  ['{SMD5}', 'secret', '{SMD5}t6xns2DCS6727SipGd221U5hQ2w='],
  ['{SSHA512}', 'secret', '{SSHA512}Enu6C74BUnsH3FJ5DbcJeTfPKMqMpMZOm66wJaf/iZqtrDfdcDyFhEmcwbcWyY5CUEDqbpdskEI2yPdeCZGVPXNhbHQxMjM0'],
];

describe('U-crpt with imported hashes', () => {
  for (const [name, password, hash] of VECTORS) {
    it(`verifies ${name}`, async () => {
      const stored = `{U-crpt}${hash}`;
      expect(isImportedHash(hash)).toBe(true);
      expect(await verifyStoredPassword(stored, password)).toBe(true);
      expect(await verifyStoredPassword(stored, `${password}!`)).toBe(false);
      expect(await verifyStoredPassword(stored, password.slice(0, -1))).toBe(false);
      expect(await verifyStoredPassword(stored, '')).toBe(false);
      expect(isOneWay(stored)).toBe(true);
      expect(clearSecretOf(stored)).toBeNull();
    });
  }

  it('still verifies traditional DES crypt, and new U-crpt passwords are DES', async () => {
    const stored = await encodePassword('secret', 'U-crpt');
    expect(stored).toMatch(/^\{U-crpt\}[./0-9A-Za-z]{13}$/);
    expect(await verifyStoredPassword(stored, 'secret')).toBe(true);
    expect(await verifyStoredPassword(stored, 'secreT')).toBe(false);
  });

  it('never matches malformed or unknown imported forms', async () => {
    for (const bad of ['{SHA}', '{SHA}!!!', '{SSHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', '{SHA}c2hvcnQ=', '{CRYPT}x', '{NOPE}5en6G6MezRroT3XKqkdPOmY/BfQ=', '$1$abc', '$6$$', '$5$saltstring$short', '$2y$05$tooshort', 'plain-text']) {
      expect(await verifyStoredPassword(`{U-crpt}${bad}`, 'secret'), bad).toBe(false);
    }
  });

  describe('formats only libcrypt knows ($y$ yescrypt)', () => {
    const YESCRYPT = '$y$j9T$abcdefghijklmnopqrstu.$BtI1C85gEUrt1rdmxUp3jEfe9z/jo0SzRdBMGm351nA';
    afterEach(() => registerCryptVerifier(undefined));

    it('never match without a registered verifier', async () => {
      expect(isImportedHash(YESCRYPT)).toBe(true);
      expect(await verifyStoredPassword(`{U-crpt}${YESCRYPT}`, 'pässwörd')).toBe(false);
    });

    it('go to the registered verifier with the hash and the password', async () => {
      const seen: string[] = [];
      registerCryptVerifier(async (hash, plain) => {
        seen.push(hash);
        return plain === 'pässwörd';
      });
      expect(await verifyStoredPassword(`{U-crpt}${YESCRYPT}`, 'pässwörd')).toBe(true);
      expect(await verifyStoredPassword(`{U-crpt}${YESCRYPT}`, 'other')).toBe(false);
      expect(seen).toEqual([YESCRYPT, YESCRYPT]);
      // formats implemented here do not go to it
      await verifyStoredPassword('{U-crpt}$1$abcdefgh$xYuxUFvxUOR4Pd6a7EeUS0', 'pässwörd');
      expect(seen).toHaveLength(2);
    });
  });
});

describe('A-crpt (argon2id)', () => {
  it('stores an argon2id PHC string and verifies it', async () => {
    const stored = await encodePassword('correct horse', 'A-crpt');
    expect(stored).toMatch(/^\{A-crpt\}\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyStoredPassword(stored, 'correct horse')).toBe(true);
    expect(await verifyStoredPassword(stored, 'correct horsE')).toBe(false);
    expect(isOneWay(stored)).toBe(true);
    expect(clearSecretOf(stored)).toBeNull();
  });

  it('salts every password anew', async () => {
    expect(await encodePassword('same', 'A-crpt')).not.toBe(await encodePassword('same', 'A-crpt'));
  });

  it('verifies a stored PHC string, and refuses argon2i or garbage under A-crpt', async () => {
    const stored = '{A-crpt}$argon2id$v=19$m=19456,t=2,p=1$iUolRWdnMtzVJ2Ju+l1KnA$MDLNlTfOd4q32TvUYUygztwTySDiNbFuZJMp+0hzrzk';
    expect(await verifyStoredPassword(stored, 'secret')).toBe(true);
    expect(await verifyStoredPassword(stored, 'Secret')).toBe(false);
    expect(await verifyStoredPassword('{A-crpt}$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$abc', 'x')).toBe(false);
    expect(await verifyStoredPassword('{A-crpt}garbage', 'x')).toBe(false);
  });

  it('a dummy check for unknown accounts answers no', async () => {
    expect(await dummyVerify('A-crpt', 'anything')).toBe(false);
  });
});
