/** Accounts most files create, and the checks every file ends with. */
import { expect } from 'vitest';
import type { Gateway } from './gateway.js';

export const ALICE = { address: 'alice@example.test', password: 'Alice-Secret-1' };
export const WRONG_PASSWORD = 'not-the-password';
export const UNKNOWN = 'nobody-here@example.test';

export async function createAccount(gw: Gateway<string>, address: string, password: string, ...settings: string[]): Promise<void> {
  await gw.cliOk('account', 'create', address, '--password', password, ...settings);
}

/** After the file's tests: the server exits 0 on SIGTERM and never logged a password. */
export async function stopCleanly(gw: Gateway<string> | undefined, passwords: string[]): Promise<void> {
  if (!gw) return;
  gw.assertAlive();
  const status = await gw.stop();
  const logs = gw.stdout + gw.stderr;
  expect(status, gw.describe()).toEqual({ code: 0, signal: null });
  for (const pw of passwords) expect(logs.includes(pw), `a password appears in the logs: ${pw}`).toBe(false);
}
