import { describe, expect, it } from 'vitest';
import { composeOsUserName, parseShadowLine, usableHash } from '../src/index.js';

describe('osUserName', () => {
  it('replaces * by the account name', () => {
    expect(composeOsUserName('*', 'joe')).toEqual({ ok: true, name: 'joe' });
    expect(composeOsUserName(undefined, 'joe')).toEqual({ ok: true, name: 'joe' });
    expect(composeOsUserName('*-mail', 'joe')).toEqual({ ok: true, name: 'joe-mail' });
    expect(composeOsUserName('mail_*', 'joe')).toEqual({ ok: true, name: 'mail_joe' });
    expect(composeOsUserName('fixed', 'joe')).toEqual({ ok: true, name: 'fixed' });
  });

  it('refuses a Windows domain (%) on Unix', () => {
    const r = composeOsUserName('*%comp1', 'joe');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/Windows/);
  });

  it('refuses names that cannot be Unix users (no shadow-file injection)', () => {
    expect(composeOsUserName('*', 'jo:e').ok).toBe(false);
    expect(composeOsUserName('*', 'a\nroot').ok).toBe(false);
    expect(composeOsUserName('*', '-x').ok).toBe(false);
    expect(composeOsUserName('*', 'x'.repeat(40)).ok).toBe(false);
  });
});

describe('shadow entries', () => {
  it('reads the user, hash and expiry fields', () => {
    expect(parseShadowLine('joe:$y$j9T$a$b:19700:0:99999:7:::')).toEqual({ user: 'joe', hash: '$y$j9T$a$b', expireDay: undefined });
    expect(parseShadowLine('joe:$6$x$y:19700:0:99999:7::20000:')?.expireDay).toBe(20000);
    expect(parseShadowLine('')).toBeUndefined();
  });

  it('treats locked, disabled, empty and expired entries as unusable', () => {
    const at = (hash: string, expireDay?: number) => usableHash({ user: 'u', hash, expireDay }, new Date('2026-01-01T00:00:00Z'));
    expect(at('$6$x$y')).toBe('$6$x$y');
    expect(at('!$6$x$y')).toBeUndefined();
    expect(at('!')).toBeUndefined();
    expect(at('!!')).toBeUndefined();
    expect(at('*')).toBeUndefined();
    expect(at('')).toBeUndefined();
    expect(at('$6$x$y', 1)).toBeUndefined();
    expect(at('$6$x$y', 30000)).toBe('$6$x$y');
  });
});
