import { connect, type Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthFailure, AuthSuccess, SaslExchange, SaslStep } from '@portcullis/auth-core';
import { startListener, type Connection, type RunningListener } from '@portcullis/listener';
import { decodeInitialResponse, runSaslDialog, type SaslDialogOutcome } from '../src/sasl-dialog.js';

const success: AuthSuccess = {
  authcid: 'alice@example.test',
  authzid: 'alice@example.test',
  account: { name: 'alice', domain: 'example.test', settings: {} },
  mechanism: 'TEST',
};
const cancelled: AuthFailure = { code: 'cancelled', message: 'authentication cancelled' };

/** A two-step mechanism: challenge "ready", expects "go", then succeeds with optional data. */
function fakeExchange(successData?: Buffer): SaslExchange & { inputs: (Buffer | null)[] } {
  const inputs: (Buffer | null)[] = [];
  return {
    mechanism: 'TEST',
    inputs,
    async step(input: Buffer | null): Promise<SaslStep> {
      inputs.push(input);
      if (inputs.length === 1) return { kind: 'continue', challenge: Buffer.from('ready') };
      if (input?.toString() !== 'go') return { kind: 'failure', failure: { code: 'bad-credentials', message: 'no' } };
      return { kind: 'success', success, ...(successData ? { data: successData } : {}) };
    },
    cancel: () => cancelled,
  };
}

let listener: RunningListener | undefined;
afterEach(async () => {
  await listener?.close(0);
  listener = undefined;
});

/** Runs the dialog on a real listener connection; the client sends `lines` after each server line. */
async function dialog(
  exchange: SaslExchange,
  initial: Buffer | null,
  lines: string[],
): Promise<{ outcome: SaslDialogOutcome; seen: string[] }> {
  let resolveOutcome!: (o: SaslDialogOutcome) => void;
  const done = new Promise<SaslDialogOutcome>((r) => (resolveOutcome = r));
  listener = await startListener(
    { service: 'imap', port: 0, address: '127.0.0.1' },
    {
      logger: pino({ level: 'silent' }),
      handler: async (conn: Connection) => {
        resolveOutcome(await runSaslDialog(conn, exchange, initial, { challengeLine: (b) => `+ ${b}\r\n` }));
        await conn.close();
      },
    },
  );
  const seen: string[] = [];
  const sock: Socket = connect(listener.port, '127.0.0.1');
  sock.setEncoding('utf8');
  let pending = '';
  sock.on('data', (d: string) => {
    pending += d;
    let i: number;
    while ((i = pending.indexOf('\r\n')) >= 0) {
      seen.push(pending.slice(0, i));
      pending = pending.slice(i + 2);
      const next = lines.shift();
      if (next !== undefined) sock.write(`${next}\r\n`);
    }
  });
  const outcome = await done;
  sock.destroy();
  return { outcome, seen };
}

describe('decodeInitialResponse', () => {
  it('reads `=` as empty and strict base64 as bytes', () => {
    expect(decodeInitialResponse('=')?.length).toBe(0);
    expect(decodeInitialResponse('AGFsaWNlAHNlY3JldA==')?.toString()).toBe('\0alice\0secret');
  });

  it.each(['', 'abc', 'YQ', 'YQ=', 'ab=c', '@@@@', 'Y Q==', 'AA==AA==', 'A===', 'YWJj\r'])('refuses %j', (text) => {
    expect(decodeInitialResponse(text)).toBeNull();
  });
});

describe('runSaslDialog', () => {
  it('sends challenges as base64 lines and passes decoded answers on', async () => {
    const ex = fakeExchange();
    const { outcome, seen } = await dialog(ex, null, [Buffer.from('go').toString('base64')]);
    expect(seen).toEqual([`+ ${Buffer.from('ready').toString('base64')}`]);
    expect(outcome).toEqual({ kind: 'success', success });
    expect(ex.inputs.map((i) => i?.toString() ?? null)).toEqual([null, 'go']);
  });

  it('sends success data as one more challenge and needs an empty answer', async () => {
    const ok = await dialog(fakeExchange(Buffer.from('v=sig')), null, ['Z28=', '']);
    expect(ok.seen[1]).toBe(`+ ${Buffer.from('v=sig').toString('base64')}`);
    expect(ok.outcome.kind).toBe('success');
    const bad = await dialog(fakeExchange(Buffer.from('v=sig')), null, ['Z28=', 'eA==']);
    expect(bad.outcome).toEqual({ kind: 'aborted', reason: 'expected-empty' });
  });

  it('takes `=` as an empty answer, as curl sends one after an empty challenge', async () => {
    const ok = await dialog(fakeExchange(Buffer.from('v=sig')), null, ['Z28=', '=']);
    expect(ok.outcome.kind).toBe('success');
  });

  it('cancels on `*`', async () => {
    const { outcome } = await dialog(fakeExchange(), null, ['*']);
    expect(outcome).toEqual({ kind: 'failure', failure: cancelled });
  });

  it('aborts on malformed base64 and on an answer over 64 KiB', async () => {
    expect((await dialog(fakeExchange(), null, ['not base64!'])).outcome).toEqual({ kind: 'aborted', reason: 'malformed-base64' });
    const long = 'QUFB'.repeat(17000);
    expect((await dialog(fakeExchange(), null, [long])).outcome).toEqual({ kind: 'aborted', reason: 'line-too-long' });
  });

  it('passes a mechanism failure through', async () => {
    const { outcome } = await dialog(fakeExchange(), null, [Buffer.from('nope').toString('base64')]);
    expect(outcome.kind === 'failure' && outcome.failure.code).toBe('bad-credentials');
  });

  it('stops a mechanism that never ends', async () => {
    const endless: SaslExchange = {
      mechanism: 'ENDLESS',
      step: async () => ({ kind: 'continue', challenge: Buffer.alloc(0) }),
      cancel: () => cancelled,
    };
    const { outcome } = await dialog(endless, null, Array.from({ length: 40 }, () => ''));
    expect(outcome).toEqual({ kind: 'aborted', reason: 'too-many-rounds' });
  });
});
