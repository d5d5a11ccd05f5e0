/** `portcullis serve` as an operator meets it: first-start output, readiness, restart, SIGTERM. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CLI, Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { run } from './harness/run.js';
import { imapLoginWorks } from './harness/imap.js';
import { popLoginWorks } from './harness/pop.js';
import { ALICE, createAccount, stopCleanly } from './harness/fixtures.js';

/** The words of the first-start lines that mention the postmaster: one of them is its password. */
function postmasterPasswordCandidates(output: string): string[] {
  const lines = output.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (!/postmaster/i.test(line)) return;
    for (const l of [line, lines[i + 1] ?? '']) {
      for (const word of l.split(/[\s'"`]+/)) {
        const w = word.replace(/[.,;]$/, '');
        if (w.length >= 8 && !/postmaster|password/i.test(w)) out.push(w);
      }
    }
  });
  return [...new Set(out)];
}

describe('serve', () => {
  let gw: Gateway;
  let postmasterPassword = '';

  beforeAll(async () => {
    gw = await Gateway.start();
  });

  afterAll(async () => {
    await stopCleanly(gw, [ALICE.password]);
  });

  it('prints the postmaster password once, and that password logs in', async () => {
    const candidates = postmasterPasswordCandidates(gw.stdout + gw.stderr);
    expect(candidates.length, gw.describe()).toBeGreaterThan(0);
    for (const pw of candidates) {
      const r = await imapLoginWorks(gw.ports.imap, `postmaster@${MAIN_DOMAIN}`, pw);
      if (r.ok) {
        postmasterPassword = pw;
        break;
      }
    }
    expect(postmasterPassword, `no candidate logged in: ${JSON.stringify(candidates)}`).not.toBe('');
  });

  it('prints a listener table naming every port', () => {
    for (const port of Object.values(gw.ports)) expect(gw.stdout).toContain(String(port));
  });

  it('serves IMAP and POP3 logins for an account the CLI created while it runs', async () => {
    await createAccount(gw, ALICE.address, ALICE.password);
    expect((await imapLoginWorks(gw.ports.imap, ALICE.address, ALICE.password)).ok).toBe(true);
    expect(await popLoginWorks(gw.ports.pop, ALICE.address, ALICE.password)).toMatch(/^\+OK/);
  });

  it('exits 0 on SIGTERM and on restart keeps its accounts without printing a new password', async () => {
    const status = await gw.restart();
    expect(status).toEqual({ code: 0, signal: null });
    if (postmasterPassword) expect(gw.stdout + gw.stderr).not.toContain(postmasterPassword);
    expect((await imapLoginWorks(gw.ports.imap, ALICE.address, ALICE.password)).ok).toBe(true);
    if (postmasterPassword) {
      expect((await imapLoginWorks(gw.ports.imap, `postmaster@${MAIN_DOMAIN}`, postmasterPassword)).ok).toBe(true);
    }
  });

  it('refuses a config with a bad key, naming it', async () => {
    const bad = path.join(gw.dir, 'bad.yaml');
    await fs.writeFile(bad, JSON.stringify({ dataDir: gw.dataDir, mainDomain: MAIN_DOMAIN, listenerz: [] }));
    const res = await run(process.execPath, [CLI, 'serve', '--config', bad], { timeoutMs: 20_000 });
    expect(res.timedOut).toBe(false);
    expect(res.code).not.toBe(0);
    expect(res.stdout + res.stderr).toMatch(/listenerz/);
  });
});
