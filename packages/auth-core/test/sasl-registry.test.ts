import { describe, expect, it } from 'vitest';
import * as sasl from '../src/sasl/index.js';
import type { Mechanism } from '../src/sasl/mechanism.js';
import { fakeContext, failureCode, send } from './sasl-fake-context.js';

describe('mechanism registry', () => {
  it('lists the default mechanisms strongest first', () => {
    expect(sasl.createDefaultMechanisms().all().map((m) => m.name)).toEqual([
      'SCRAM-SHA-256-PLUS',
      'SCRAM-SHA-1-PLUS',
      'SCRAM-SHA-256',
      'SCRAM-SHA-1',
      'DIGEST-MD5',
      'CRAM-MD5',
      'PLAIN',
      'LOGIN',
      'EXTERNAL',
      'NTLM',
      'MSN',
      'SESSIONID',
    ]);
  });

  it('looks names up case-insensitively and returns undefined for unknown ones', () => {
    const registry = sasl.createDefaultMechanisms();
    expect(registry.get('cram-md5')?.name).toBe('CRAM-MD5');
    expect(registry.get('scram-sha-256-plus')?.requiresTls).toBe(true);
    expect(registry.get('GSSAPI')).toBeUndefined();
  });

  it('maps each mechanism to its Login Method and credential need', () => {
    const byName = Object.fromEntries(sasl.createDefaultMechanisms().all().map((m) => [m.name, m]));
    expect(byName['PLAIN']).toMatchObject({ loginMethod: 'CLRTXT', cleartext: true });
    expect(byName['LOGIN']).toMatchObject({ loginMethod: 'CLRTXT', cleartext: true });
    expect(byName['CRAM-MD5']).toMatchObject({ loginMethod: 'CRAM-MD5', credential: 'stored-secret' });
    expect(byName['DIGEST-MD5']).toMatchObject({ loginMethod: 'DIGEST-MD5', credential: 'stored-secret' });
    for (const n of ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-256', 'SCRAM-SHA-1']) {
      expect(byName[n]?.loginMethod).toBe('SCRAM');
    }
  });

  it('registers an extra mechanism with one more list entry, and refuses duplicates', async () => {
    const extra: Mechanism = {
      name: 'X-EXAMPLE',
      cleartext: false,
      credential: 'none',
      loginMethod: 'CLRTXT',
      create: () => sasl.guardSession('X-EXAMPLE', async () => sasl.mechanismFailure('mechanism-unavailable', 'no certificate')),
    };
    const registry = sasl.createMechanismRegistry([...sasl.DEFAULT_MECHANISMS, extra]);
    expect(registry.all().at(-1)?.name).toBe('X-EXAMPLE');
    const session = registry.get('x-example')!.create(fakeContext().ctx);
    expect(failureCode(await send(session, null))).toBe('mechanism-unavailable');
    expect(failureCode(await send(session, null))).toBe('malformed');
    expect(() => sasl.createMechanismRegistry([sasl.plainMechanism, sasl.plainMechanism])).toThrow(/twice/);
  });
});

describe('session guard', () => {
  it('turns a thrown error into a temporary failure and ends the exchange', async () => {
    const session = sasl.guardSession('X', async () => {
      throw new Error('store down: password=hunter2');
    });
    const step = await session.step(null);
    expect(failureCode(step)).toBe('temporary');
    expect(JSON.stringify(step)).not.toContain('hunter2');
    expect(failureCode(await session.step(null))).toBe('malformed');
  });

  it('refuses a step while another is running', async () => {
    let release: () => void = () => undefined;
    const session = sasl.guardSession('X', () => new Promise((resolve) => {
      release = () => resolve({ kind: 'continue', challenge: Buffer.alloc(0) });
    }));
    const first = session.step(null);
    expect(failureCode(await session.step(null))).toBe('malformed');
    release();
    expect((await first).kind).toBe('continue');
  });
});
