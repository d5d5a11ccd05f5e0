/**
 * `directory: redis://...`: accounts the CLI writes to Redis log in over IMAP on running
 * gateways, every instance on the same Redis sees them at once, and nothing lands in dataDir.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, STANDARD_LISTENERS } from './harness/gateway.js';
import { imapLoginWorks } from './harness/imap.js';
import { ALICE, createAccount, stopCleanly, WRONG_PASSWORD } from './harness/fixtures.js';
import { startRedisServer, type RedisServer } from './harness/redis-server.js';

const NEW_PASSWORD = 'Alice-Changed-2';
const listeners = { imap: STANDARD_LISTENERS.imap };

describe('directory in Redis', () => {
  let redis: RedisServer | undefined;
  let one: Gateway<'imap'> | undefined;
  let two: Gateway<'imap'> | undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
    const config = { directory: redis.url(0) };
    one = await Gateway.start({ listeners, config });
    two = await Gateway.start({ listeners, config });
  });

  afterAll(async () => {
    try {
      await stopCleanly(one, [ALICE.password, NEW_PASSWORD]);
      await stopCleanly(two, [ALICE.password, NEW_PASSWORD]);
    } finally {
      await redis?.stop();
    }
  });

  it('logs in an account the CLI created in Redis, on every instance', async () => {
    await createAccount(one!, ALICE.address, ALICE.password);
    expect((await imapLoginWorks(one!.ports.imap, ALICE.address, ALICE.password)).ok).toBe(true);
    expect((await imapLoginWorks(two!.ports.imap, ALICE.address, ALICE.password)).ok).toBe(true);
    expect((await imapLoginWorks(two!.ports.imap, ALICE.address, WRONG_PASSWORD)).ok).toBe(false);
  });

  it('applies a change made through one instance\'s config to the other at the next login', async () => {
    await two!.cliOk('account', 'set', ALICE.address, `password=${NEW_PASSWORD}`);
    expect((await imapLoginWorks(one!.ports.imap, ALICE.address, NEW_PASSWORD)).ok).toBe(true);
    expect((await imapLoginWorks(one!.ports.imap, ALICE.address, ALICE.password)).ok).toBe(false);
  });

  it('keeps no domain or account files in dataDir', async () => {
    const entries = await fs.readdir(one!.dataDir).catch(() => [] as string[]);
    expect(entries).not.toContain('domains');
    await expect(fs.stat(path.join(two!.dataDir, 'domains'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('exports the Redis directory as files, passwords in their stored form and never printed', async () => {
    const exportDir = path.join(one!.dir, 'export');
    const out = await one!.cliOk('export', exportDir);
    expect(out.stdout + out.stderr).not.toContain(NEW_PASSWORD);
    const account = await fs.readFile(path.join(exportDir, 'domains', 'example.test', 'accounts', 'alice.yaml'), 'utf8');
    // the default passwordEncryption is clear: the stored form is {clear}PASSWORD
    expect(account).toContain(`{clear}${NEW_PASSWORD}`);
  });
});
