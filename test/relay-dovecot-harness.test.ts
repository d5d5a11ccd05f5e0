import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dovecot, KNOWN_BODY_LINE } from './harness/dovecot.js';
import { LineClient } from './harness/line-client.js';

const USER = 'alice@example.test';
let dovecot: Dovecot;

beforeAll(async () => {
  dovecot = await Dovecot.start({ users: [{ name: USER, password: 'alice-upstream-pw' }] });
});
afterAll(async () => {
  await dovecot?.destroy();
});

async function masterFetch(): Promise<string> {
  const c = await LineClient.connect(dovecot.ports.imap);
  expect(await c.readLine()).toMatch(/^\* OK/);
  const plain = Buffer.from(`${USER}\0${dovecot.masterUser}\0${dovecot.masterPassword}`).toString('base64');
  c.send(`a AUTHENTICATE PLAIN ${plain}`);
  const login = await c.readUntil((l) => l.startsWith('a '));
  expect(login.at(-1)).toMatch(/^a OK/);
  c.send('b SELECT INBOX');
  await c.readUntil((l) => l.startsWith('b '));
  c.send('c FETCH 1 BODY[]');
  const lines = await c.readUntil((l) => l.startsWith('c '));
  c.send('d LOGOUT');
  await c.readUntil((l) => l.startsWith('d '));
  return lines.join('\n');
}

describe('Dovecot harness', () => {
  it('serves the known message to the master user, and comes back after stop()', async () => {
    expect(await masterFetch()).toContain(KNOWN_BODY_LINE);
    await dovecot.stop();
    await expect(LineClient.connect(dovecot.ports.imap, { timeoutMs: 2000 })).rejects.toThrow();
    await dovecot.restart();
    expect(await masterFetch()).toContain(KNOWN_BODY_LINE);
  });
});
