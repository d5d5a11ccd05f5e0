import { describe, expect, it } from 'vitest';
import { effectiveUpstream, upstreamTargets } from '../src/serve/relay.js';
import { redactAccountSettings, redactDefaults } from '../src/settings/redact.js';
import { parseAssignment } from '../src/settings/assignments.js';
import { splitHostPort } from '../src/settings/upstream-keys.js';

describe('upstream settings', () => {
  it('merges the account over the domain key by key; no host means built-in', () => {
    const domain = { host: ['imap.example.com'], tls: 'starttls' as const, masterUser: 'gw', masterPassword: 'pw' };
    expect(effectiveUpstream('imap', domain, { host: ['other.example.com'] })).toEqual({ ...domain, host: ['other.example.com'] });
    expect(effectiveUpstream('imap', domain, undefined)).toEqual(domain);
    expect(effectiveUpstream('imap', { tls: 'none' }, { port: 10143 })).toBeUndefined();
    expect(effectiveUpstream('imap', undefined, undefined)).toBeUndefined();
  });

  it('makes one target per host in order, with per-host ports and the service defaults', () => {
    const targets = upstreamTargets('imap', { host: ['a.example', 'b.example:1143', '[2001:db8::1]:993'], tls: 'implicit' });
    expect(targets.map((t) => `${t.host}|${t.port}`)).toEqual(['a.example|993', 'b.example|1143', '2001:db8::1|993']);
    expect(targets[0]).toMatchObject({ tls: 'implicit', login: 'master', authMechanism: 'PLAIN' });
    expect(upstreamTargets('pop', { host: ['p'] })[0]).toMatchObject({ port: 110, tls: 'starttls' });
    expect(upstreamTargets('smtp', { host: ['s'], tls: 'implicit' })[0]?.port).toBe(465);
  });

  it('parses host lists and refuses junk', () => {
    expect(parseAssignment('domain', 'upstream.imap.host', 'A.example, 10.0.0.6:1143').value).toEqual(['a.example', '10.0.0.6:1143']);
    expect(() => parseAssignment('domain', 'upstream.imap.host', 'bad host')).toThrow(/upstream\.imap\.host/);
    expect(() => parseAssignment('account', 'upstream.smtp.port', '70000')).toThrow(/1 to 65535/);
    expect(parseAssignment('account', 'upstream.pop.authmechanism', 'login').value).toBe('LOGIN');
    expect(splitHostPort('host:0')).toBeUndefined();
    expect(splitHostPort('::1')).toEqual({ host: '::1' });
  });

  it('never echoes a bad masterPassword value and hides a stored one', () => {
    let message = '';
    try {
      parseAssignment('domain', 'upstream.imap.masterPassword', 'sec\nret');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/masterPassword/);
    expect(message).not.toContain('sec');
    const shown = redactAccountSettings({ upstream: { imap: { host: ['h'], masterPassword: 'top-secret' } } });
    expect(JSON.stringify(shown)).not.toContain('top-secret');
    expect(shown).toMatchObject({ upstream: { imap: { host: ['h'], masterPassword: '(set)' } } });
    const domain = redactDefaults({ name: 'example.com', upstream: { pop: { masterPassword: 'top-secret' } } });
    expect(JSON.stringify(domain)).not.toContain('top-secret');
  });
});

describe('relay config section', () => {
  it('turns seconds into the hook options, defaults where absent', async () => {
    const { relayTimingFromConfig, DEFAULT_RELAY_TIMEOUTS } = await import('../src/serve/relay.js');
    expect(relayTimingFromConfig(undefined)).toEqual({});
    expect(relayTimingFromConfig({ connectTimeout: 2, idleTimeout: 0 })).toEqual({
      connectTimeoutMs: 2000,
      timeouts: { idleTimeoutMs: 0, totalTimeoutMs: DEFAULT_RELAY_TIMEOUTS.totalTimeoutMs },
    });
  });

  it('is checked by the config schema', async () => {
    const { configSchema } = await import('../src/config/schema.js');
    expect(configSchema.safeParse({ relay: { idleTimeout: 60, totalTimeout: 3600 } }).success).toBe(true);
    expect(configSchema.safeParse({ relay: { idleTimeout: -1 } }).success).toBe(false);
    expect(configSchema.safeParse({ relay: { bogus: 1 } }).success).toBe(false);
  });
});
