import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectiveAccountSettings, type PasswordCheckRequest } from '@portcullis/auth-core';
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
  });
});
