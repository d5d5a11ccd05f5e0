/**
 * `portcullis account import FILE`: accounts from a legacy list of `ADDRESS:HASH` lines (a passwd
 * or htpasswd style file; fields after the hash are ignored). Each hash is stored as it is, as a
 * U-crpt password with the prefix it came with, so users keep their passwords without anyone
 * knowing them. Every line is checked before anything is written: one bad line imports nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isImportedHash, type AccountRecord } from '@portcullis/auth-core';
import { CommandError, UsageError } from '../errors.js';
import { asCliError, resolveAddress, type CommandContext } from './context.js';

/** traditional DES crypt: 2 salt characters and 11 of hash */
const DES_CRYPT_RE = /^[./0-9A-Za-z]{13}$/;

interface ImportLine {
  line: number;
  name: string;
  domain: string;
  hash: string;
}

async function parseImportFile(ctx: CommandContext, text: string): Promise<ImportLine[]> {
  const out: ImportLine[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const [address, hash] = raw.split(':');
    // the hash is never echoed: it is as good as the password against an offline attack
    if (!address || hash === undefined) {
      errors.push(`line ${i + 1}: expected ADDRESS:HASH`);
      continue;
    }
    if (!(DES_CRYPT_RE.test(hash) || isImportedHash(hash))) {
      errors.push(`line ${i + 1}: the hash of ${address} is not in a recognised format`);
      continue;
    }
    try {
      const { name, domain } = await resolveAddress(ctx, address);
      const key = `${name}@${domain.name}`;
      if (seen.has(key)) errors.push(`line ${i + 1}: ${key} appears twice`);
      seen.add(key);
      out.push({ line: i + 1, name, domain: domain.name, hash });
    } catch (err) {
      errors.push(`line ${i + 1}: ${(err as Error).message}`);
    }
  }
  if (errors.length > 0) throw new UsageError(`nothing imported:\n  ${errors.join('\n  ')}`);
  return out;
}

export async function accountImport(ctx: CommandContext, file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path.resolve(ctx.io.cwd, file), 'utf8');
  } catch (err) {
    throw new CommandError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const entries = await parseImportFile(ctx, text);
  let created = 0;
  let updated = 0;
  for (const e of entries) {
    const password = `{U-crpt}${e.hash}`;
    const existing = await ctx.store.getAccount(e.domain, e.name);
    try {
      if (existing) {
        const record: AccountRecord = { ...existing, settings: { ...existing.settings, password } };
        await ctx.store.updateAccount(record);
        updated++;
      } else {
        await ctx.store.createAccount({ name: e.name, domain: e.domain, settings: { password } });
        created++;
      }
    } catch (err) {
      throw asCliError(err);
    }
  }
  ctx.io.out(`imported ${entries.length} accounts: ${created} created, ${updated} updated\n`);
}
