import { describe, expect, it } from 'vitest';
import { describeRedisUrl, isRedisUrl, redactRedisUrl, RedisUrlError } from '../src/index.js';

describe('describeRedisUrl', () => {
  it('parses a plain URL with defaults', () => {
    expect(describeRedisUrl('redis://127.0.0.1')).toEqual({ mode: 'standalone', tls: false, host: '127.0.0.1', port: 6379, db: 0 });
  });

  it('parses credentials, port, database and TLS', () => {
    expect(describeRedisUrl('rediss://app:s%40cret@cache.example:6380/3')).toEqual({
      mode: 'standalone',
      tls: true,
      host: 'cache.example',
      port: 6380,
      db: 3,
      username: 'app',
      password: 's@cret',
    });
    expect(describeRedisUrl('redis://:pw@h/0')).toMatchObject({ password: 'pw', db: 0 });
    expect(describeRedisUrl('redis://:pw@h/0')).not.toHaveProperty('username');
    expect(describeRedisUrl('redis://pw@h')).toMatchObject({ password: 'pw' });
  });

  it('parses IPv6 hosts', () => {
    expect(describeRedisUrl('redis://[::1]:7000')).toMatchObject({ host: '::1', port: 7000 });
  });

  it('parses a Sentinel URL: sentinels, master name, database, sentinel password', () => {
    expect(describeRedisUrl('redis+sentinel://:pw@s1:26380,s2/mymaster/2?sentinelPassword=sp')).toEqual({
      mode: 'sentinel',
      tls: false,
      password: 'pw',
      sentinels: [
        { host: 's1', port: 26380 },
        { host: 's2', port: 26379 },
      ],
      masterName: 'mymaster',
      db: 2,
      sentinelPassword: 'sp',
    });
  });

  it('parses a Cluster URL', () => {
    expect(describeRedisUrl('rediss+cluster://n1:7000,n2:7001,n3')).toEqual({
      mode: 'cluster',
      tls: true,
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
        { host: 'n3', port: 6379 },
      ],
    });
  });

  it.each([
    ['http://h', /unknown scheme/],
    ['redis://', /no host/],
    ['redis://h:0', /bad port/],
    ['redis://h:99999', /bad port/],
    ['redis://h/x', /database number/],
    ['redis://h/1/2', /only a database/],
    ['redis://a,b', /exactly one host/],
    ['redis+sentinel://s1,s2', /master name/],
    ['redis+cluster://n1/3', /database 0 only/],
    ['redis://h:1:2', /bad host/],
    ['nonsense', /expected scheme/],
  ])('refuses %s', (url, message) => {
    expect(() => describeRedisUrl(url)).toThrow(RedisUrlError);
    expect(() => describeRedisUrl(url)).toThrow(message);
  });

  it('never puts the password in an error message', () => {
    let message = '';
    try {
      describeRedisUrl('redis://user:hunter2@h:bad');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/bad/);
    expect(message).not.toContain('hunter2');
  });
});

describe('redactRedisUrl', () => {
  it.each([
    ['redis://user:hunter2@h:6379/0', 'redis://user:***@h:6379/0'],
    ['redis://:hunter2@h', 'redis://:***@h'],
    ['redis://hunter2@h', 'redis://***@h'],
    ['redis+sentinel://:hunter2@a,b/m?sentinelPassword=hunter2', 'redis+sentinel://:***@a,b/m?sentinelPassword=***'],
    ['redis://h:6379', 'redis://h:6379'],
    ['not a url :hunter2', 'not a url :hunter2'],
  ])('%s -> %s', (url, expected) => {
    expect(redactRedisUrl(url)).toBe(expected);
  });
});

describe('isRedisUrl', () => {
  it('knows the Redis schemes only', () => {
    expect(isRedisUrl('redis://h')).toBe(true);
    expect(isRedisUrl('REDISS://h')).toBe(true);
    expect(isRedisUrl('redis+sentinel://h/m')).toBe(true);
    expect(isRedisUrl('redis+cluster://h')).toBe(true);
    expect(isRedisUrl('memory')).toBe(false);
    expect(isRedisUrl('http://h')).toBe(false);
  });
});
