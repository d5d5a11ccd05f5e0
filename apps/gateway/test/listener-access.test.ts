/** The listener Grant/Deny overrides as stored in the server settings, and how a process reads them. */
import { describe, expect, it } from 'vitest';
import type { ServerSettings } from '@portcullis/auth-core';
import { listenerAccessFrom, listenerViews } from '../src/admin/listener-access.js';
import { listenerAccessSource } from '../src/serve/listener-access-source.js';
import type { GatewayConfig } from '../src/config/load.js';

const settings = (listenerAccess: unknown): ServerSettings => ({ listenerAccess } as unknown as ServerSettings);

describe('listenerAccessFrom', () => {
  it('keeps well-formed entries and leaves out what a hand edit broke', () => {
    expect(
      listenerAccessFrom(
        settings({
          'imap:143': { deny: ['10.0.0.0/8'] },
          'pop:110': { grant: 'not a list', deny: ['1.2.3.4'] },
          'smtp:25': 'nonsense',
          'ftp:21': { grant: [1, 2] },
          'xmpp:5222': null,
        }),
      ),
    ).toEqual({ 'imap:143': { deny: ['10.0.0.0/8'] }, 'pop:110': { deny: ['1.2.3.4'] } });
    expect(listenerAccessFrom(settings(['a']))).toEqual({});
    expect(listenerAccessFrom({})).toEqual({});
  });

  it('never shows an override on an http listener (they do not apply one)', () => {
    const config = { listeners: [{ service: 'http', port: 8080 }, { service: 'imap', port: 143, grant: ['10.0.0.0/8'] }] } as unknown as GatewayConfig;
    const views = listenerViews(config, { 'http:8080': { deny: ['127.0.0.1'] }, 'imap:143': { deny: ['127.0.0.1'] } });
    expect(views.map((v) => [v.name, v.grant, v.deny, v.overridden])).toEqual([
      ['http:8080', [], [], { grant: false, deny: false }],
      ['imap:143', ['10.0.0.0/8'], ['127.0.0.1'], { grant: false, deny: true }],
    ]);
  });
});

describe('listenerAccessSource', () => {
  it('reads the server settings once per ttl, concurrent connections sharing one read', async () => {
    let reads = 0;
    let current: ServerSettings = settings({ 'imap:143': { deny: ['127.0.0.1'] } });
    const store = {
      getServerSettings: async () => {
        reads++;
        await new Promise((r) => setTimeout(r, 5));
        return current;
      },
    };
    const source = listenerAccessSource(store, 200);
    const imap = source('imap:143');
    const pop = source('pop:110');
    expect(await Promise.all([imap(), imap(), pop()])).toEqual([{ deny: ['127.0.0.1'] }, { deny: ['127.0.0.1'] }, undefined]);
    expect(reads).toBe(1);
    current = {};
    expect(await imap()).toEqual({ deny: ['127.0.0.1'] });
    await new Promise((r) => setTimeout(r, 250));
    expect(await imap()).toBeUndefined();
    expect(reads).toBe(2);
  });

  it('with ttl 0 sees every change at the next connection, and passes a failed read on', async () => {
    let fail = false;
    let current: ServerSettings = {};
    const source = listenerAccessSource(
      {
        getServerSettings: async () => {
          if (fail) throw new Error('down');
          return current;
        },
      },
      0,
    )('imap:143');
    expect(await source()).toBeUndefined();
    current = settings({ 'imap:143': { grant: [] } });
    expect(await source()).toEqual({ grant: [] });
    fail = true;
    await expect(source()).rejects.toThrow('down');
  });
});
