/** `portcullis kerberos import|list|delete`: a domain's Kerberos service keys (never printed). */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { deleteKeys, importKeytab, KeytabFormatError, listKeys, type KeySummary } from '@portcullis/kerberos';
import { CommandError, UsageError } from '../errors.js';
import { asCliError, requireDomain, type CommandContext, type StoreContext } from './context.js';

function table(keys: KeySummary[]): string {
  const rows = keys.map((k) => [k.id, k.principal, k.issued, String(k.kvno), k.enctype]);
  const head = ['ID', 'PRINCIPAL', 'ISSUED', 'KVNO', 'ENCTYPE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  return line(head) + rows.map(line).join('');
}

/** Add a keytab's keys to a domain (shared by `kerberos import` and the admin API). */
export async function importKeysInto(ctx: StoreContext, domainName: string, keytab: Buffer, source: string): Promise<{ domain: string; added: KeySummary[] }> {
  const domain = await requireDomain(ctx.store, domainName);
  try {
    return { domain: domain.name, added: await importKeytab(ctx.store, domain, keytab) };
  } catch (err) {
    if (err instanceof KeytabFormatError) throw new UsageError(`${source}: ${err.message}`);
    throw err;
  }
}

/** A domain's keys without the key bytes. */
export async function keysOf(ctx: StoreContext, domainName: string): Promise<{ domain: string; keys: KeySummary[] }> {
  const domain = await requireDomain(ctx.store, domainName);
  return { domain: domain.name, keys: listKeys(domain) };
}

/** Delete keys by ID; unknown IDs are named in the answer. */
export async function deleteKeysFrom(ctx: StoreContext, domainName: string, ids: readonly string[]): Promise<{ domain: string; deleted: string[]; unknown: string[] }> {
  const domain = await requireDomain(ctx.store, domainName);
  const { deleted, unknown } = await deleteKeys(ctx.store, domain, [...ids]);
  return { domain: domain.name, deleted, unknown };
}

export async function kerberosImport(ctx: CommandContext, domainName: string, file: string): Promise<void> {
  await requireDomain(ctx.store, domainName);
  let data: Buffer;
  try {
    data = await readFile(resolve(ctx.io.cwd, file));
  } catch (err) {
    throw new CommandError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let result: { domain: string; added: KeySummary[] };
  try {
    result = await importKeysInto(ctx, domainName, data, file);
  } catch (err) {
    throw asCliError(err);
  }
  const { domain, added } = result;
  ctx.io.out(`imported ${added.length} key(s) into ${domain}\n${added.length ? table(added) : ''}`);
}

export async function kerberosList(ctx: CommandContext, domainName: string): Promise<void> {
  const { domain, keys } = await keysOf(ctx, domainName);
  ctx.io.out(keys.length ? table(keys) : `no Kerberos keys in ${domain}\n`);
}

export async function kerberosDelete(ctx: CommandContext, domainName: string, ids: string[]): Promise<void> {
  if (ids.length === 0) throw new UsageError('kerberos delete needs key IDs (see kerberos list)');
  const { domain, deleted, unknown } = await deleteKeysFrom(ctx, domainName, ids);
  if (unknown.length) throw new CommandError(`no such key in ${domain}: ${unknown.join(' ')}${deleted.length ? ` (deleted ${deleted.join(' ')})` : ''}`);
  ctx.io.out(`deleted ${deleted.length} key(s) from ${domain}\n`);
}
