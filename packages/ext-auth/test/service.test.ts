import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apopDigest, cramMd5Digest, effectiveAccountSettings, type PasswordCheckRequest } from '@portcullis/auth-core';
import { createExternalPasswordChecker, ExternalAuthService, type ExternalAuthSettings } from '../src/index.js';

const HELPERS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/helpers');
const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };

let dir: string;
let usersFile: string;
let service: ExternalAuthService | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'extauth-svc-'));
  usersFile = path.join(dir, 'users');
  writeFileSync(usersFile, 'joe@x.test:Joe Secret\nann@x.test:a"b\\c\n');
});
afterEach(() => {
  service?.close();
  rmSync(dir, { recursive: true, force: true });
});

function request(address: string, useExtPassword: boolean, tag?: string): PasswordCheckRequest {
  const [name, domain] = address.split('@') as [string, string];
  return {
    account: { name, domain, settings: {} },
    address,
    settings: effectiveAccountSettings({ useExtPassword }, null, null),
    tag,
    conn: { id: 'c1', service: 'imap', secure: false, remoteAddress: '127.0.0.1', remotePort: 5000, localAddress: '127.0.0.1', localPort: 143, serverName: 'x.test' },
  };
}

describe.each([
  ['shell', path.join(HELPERS, 'sample-helper.sh'), (f: string) => [f]],
  ['node', process.execPath, (f: string) => [path.join(HELPERS, 'sample-helper.mjs'), f]],
])('ExternalAuthService with the sample %s helper', (_name, program, args) => {
  it('verifies passwords (quoted ones too) and answers NEW', async () => {
    const settings: ExternalAuthSettings = { program, args: args(usersFile), timeout: 5 };
    service = new ExternalAuthService({ loadSettings: async () => settings, logger: silent });
    const checker = createExternalPasswordChecker(service);
    expect(await checker.verify(request('joe@x.test', true), 'Joe Secret')).toBe(true);
    expect(await checker.verify(request('ann@x.test', true), 'a"b\\c')).toBe(true);
    expect(await checker.verify(request('joe@x.test', true), 'wrong')).toBe(false);
    expect(await checker.verify(request('joe@x.test', true), 'Joe\r\nSecret')).toBe(false);
    expect(await service.provision('ann@x.test')).toBe(true);
    expect(await service.provision('zed@x.test')).toBe(false);
  });

  it('checks CRAM-MD5 and APOP proofs sent as SASL(<method>)', async () => {
    service = new ExternalAuthService({ loadSettings: async () => ({ program, args: args(usersFile), timeout: 5 }), logger: silent });
    const checker = createExternalPasswordChecker(service);
    const challenge = '<4711.1700000000000@x.test>';
    const cram = (secret: string) => cramMd5Digest(challenge, secret).toString('hex');
    const proof = (method: string, response: string) => checker.verifyProof!(request('joe@x.test', true), { method, challenge, response });
    expect(await proof('CRAM-MD5', cram('Joe Secret'))).toBe(true);
    expect(await proof('CRAM-MD5', cram('wrong'))).toBe(false);
    expect(await proof('APOP', apopDigest(challenge, 'Joe Secret'))).toBe(true);
    expect(await proof('APOP', apopDigest(challenge, 'Joe Secre'))).toBe(false);
    // a quoted password in the file, and a challenge that must be quoted on the wire
    expect(await service.verifyProof('ann@x.test', 'CRAM-MD5', '<a b>', cramMd5Digest('<a b>', 'a"b\\c').toString('hex'))).toBe(true);
    // never asked for a method whose proof the gateway could not finish with a bare OK
    expect(await proof('DIGEST-MD5', cram('Joe Secret'))).toBe(false);
    expect(await service.verifyProof('zed@x.test', 'CRAM-MD5', challenge, cram('Joe Secret'))).toBe(false);
  });
});

describe('ExternalAuthService', () => {
  it('refuses every check when no program is configured, and follows a changed setting', async () => {
    let settings: ExternalAuthSettings | undefined;
    service = new ExternalAuthService({ loadSettings: async () => settings, logger: silent });
    expect(await service.verify('joe@x.test', 'Joe Secret')).toBe(false);
    settings = { program: process.execPath, args: [path.join(HELPERS, 'sample-helper.mjs'), usersFile] };
    expect(await service.verify('joe@x.test', 'Joe Secret')).toBe(true);
    settings = undefined;
    expect(await service.verify('joe@x.test', 'Joe Secret')).toBe(false);
  });

  it('a program that dies at start means refused checks, not a hang', async () => {
    const settings: ExternalAuthSettings = { program: '/bin/false', timeout: 2, autoRestart: true };
    service = new ExternalAuthService({ loadSettings: async () => settings, logger: silent, restartPauseMs: 100 });
    const started = Date.now();
    for (let i = 0; i < 3; i++) expect(await service.verify('joe@x.test', 'Joe Secret')).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a log level from the setting is applied to the EXTAUTH logger', async () => {
    const logger = { ...silent, level: 'info' };
    service = new ExternalAuthService({ loadSettings: async () => ({ logLevel: 'debug' }), logger });
    await service.sync();
    expect(logger.level).toBe('debug');
  });
});

describe('external password checker', () => {
  it('is on with useExtPassword, never for tagged logins, and gives no clear secret', () => {
    const checker = createExternalPasswordChecker({ verify: async () => true });
    expect(checker.source).toBe('external');
    expect(checker.enabled(request('joe@x.test', true))).toBe(true);
    expect(checker.enabled(request('joe@x.test', false))).toBe(false);
    expect(checker.enabled(request('joe@x.test', true, 'phone'))).toBe(false);
    expect(checker.clearSecret(request('joe@x.test', true))).toBeNull();
    // a verifier that cannot check proofs makes a source that is never asked for one
    expect(checker.verifyProof).toBeUndefined();
  });

  it('hands a proof to the verifier with the account address', async () => {
    const seen: string[][] = [];
    const checker = createExternalPasswordChecker({
      verify: async () => false,
      verifyProof: async (address, method, challenge, response) => {
        seen.push([address, method, challenge, response]);
        return response === 'right';
      },
    });
    const req = request('joe@x.test', true);
    expect(await checker.verifyProof!(req, { method: 'CRAM-MD5', challenge: '<c>', response: 'right' })).toBe(true);
    expect(await checker.verifyProof!(req, { method: 'APOP', challenge: '<c>', response: 'wrong' })).toBe(false);
    expect(await checker.verifyProof!(req, { method: 'SCRAM-SHA-1', challenge: '<c>', response: 'right' })).toBe(false);
    expect(seen).toEqual([
      ['joe@x.test', 'CRAM-MD5', '<c>', 'right'],
      ['joe@x.test', 'APOP', '<c>', 'wrong'],
    ]);
  });
});
