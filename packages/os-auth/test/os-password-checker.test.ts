import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkPassword,
  effectiveAccountSettings,
  findClearSecret,
  ownPasswordChecker,
  type AccountSettings,
  type ConnectionInfo,
  type PasswordCheckRequest,
} from '@portcullis/auth-core';
import { createOsPasswordChecker } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'os-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shadow = join(dir, 'shadow');
writeFileSync(
  shadow,
  [
    'root:*:19700:0:99999:7:::',
    'joe:$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1:19700:0:99999:7:::',
    'joe-mail:$y$j9T$abcdefghijklmnopqrstu.$FmK/xftEjSx4/NabBhnmRQkUReJH95K47v4Nt2m4Of1:19700:0:99999:7:::',
    'locked:!$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5:19700:0:99999:7:::',
    '',
  ].join('\n'),
);

function request(name: string, settings: AccountSettings, tag?: string): PasswordCheckRequest {
  return {
    account: { name, domain: 'example.test', settings },
    address: `${name}@example.test`,
    settings: effectiveAccountSettings(settings, null, null),
    tag,
    conn: {} as ConnectionInfo, // the OS source never looks at the connection
  };
}

describe('OS password checker', () => {
  const problems: string[] = [];
  const os = createOsPasswordChecker({ shadowFile: shadow, onProblem: (_a, reason) => problems.push(reason) });

  it('is off unless useOSPassword is set, and never for user$tag', () => {
    expect(os.enabled(request('joe', {}))).toBe(false);
    expect(os.enabled(request('joe', { useOSPassword: true }))).toBe(true);
    expect(os.enabled(request('joe', { useOSPassword: true }, 'phone'))).toBe(false);
  });

  it('accepts the OS password and refuses others', async () => {
    const req = request('joe', { useOSPassword: true });
    expect(await os.verify(req, 'Hello world!')).toBe(true);
    expect(await os.verify(req, 'hello world!')).toBe(false);
    expect(await os.verify(req, '')).toBe(false);
  });

  it('maps the account through osUserName (*-mail)', async () => {
    const req = request('joe', { useOSPassword: true, osUserName: '*-mail' });
    expect(await os.verify(req, 'Hello world!')).toBe(true);
  });

  it('refuses unknown, locked and disabled OS users', async () => {
    expect(await os.verify(request('nobody-here', { useOSPassword: true }), 'Hello world!')).toBe(false);
    expect(await os.verify(request('locked', { useOSPassword: true }), 'Hello world!')).toBe(false);
    expect(await os.verify(request('root', { useOSPassword: true }), '*')).toBe(false);
  });

  it('refuses a Windows domain name and says why', async () => {
    problems.length = 0;
    expect(await os.verify(request('joe', { useOSPassword: true, osUserName: '*%corp' }), 'Hello world!')).toBe(false);
    expect(problems.join()).toMatch(/Windows/);
  });

  it('reports an unreadable shadow file as a failed check, without the password', async () => {
    problems.length = 0;
    const broken = createOsPasswordChecker({ shadowFile: join(dir, 'missing'), onProblem: (_a, r) => problems.push(r) });
    expect(await broken.verify(request('joe', { useOSPassword: true }), 'Hello world!')).toBe(false);
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain('Hello world!');
  });

  it('is one-way: no clear secret for CRAM-MD5, DIGEST-MD5, SCRAM or APOP', () => {
    const req = request('joe', { useOSPassword: true, useCGPassword: false });
    expect(os.clearSecret(req)).toBeNull();
    expect(findClearSecret([ownPasswordChecker, os], req)).toBeNull();
  });

  describe('in the source order (own, then OS): any match logs in', () => {
    const checkers = [ownPasswordChecker, os];
    it('the own password matches first', async () => {
      const req = request('joe', { useOSPassword: true, password: '{clear}own-secret' });
      expect(await checkPassword(checkers, req, 'own-secret')).toBe('own');
      expect(await checkPassword(checkers, req, 'Hello world!')).toBe('os');
      expect(await checkPassword(checkers, req, 'neither')).toBeNull();
    });
    it('an empty own password never matches, the OS one still does (migration)', async () => {
      const req = request('joe', { useOSPassword: true, password: '' });
      expect(await checkPassword(checkers, req, '')).toBeNull();
      expect(await checkPassword(checkers, req, 'Hello world!')).toBe('os');
    });
    it('with useCGPassword off only the OS password counts', async () => {
      const req = request('joe', { useOSPassword: true, useCGPassword: false, password: '{clear}own-secret' });
      expect(await checkPassword(checkers, req, 'own-secret')).toBeNull();
      expect(await checkPassword(checkers, req, 'Hello world!')).toBe('os');
    });
  });
});
