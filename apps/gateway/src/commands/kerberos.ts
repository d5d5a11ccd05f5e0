/** `portcullis kerberos import|list|delete`: a domain's Kerberos service keys (never printed). */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { deleteKeys, importKeytab, KeytabFormatError, listKeys, type KeySummary } from '@portcullis/kerberos';
import { CommandError, UsageError } from '../errors.js';
import { asCliError, requireDomain, type CommandContext } from './context.js';

function table(keys: KeySummary[]): string {
  const rows = keys.map((k) => [k.id, k.principal, k.issued, String(k.kvno), k.enctype]);
  const head = ['ID', 'PRINCIPAL', 'ISSUED', 'KVNO', 'ENCTYPE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  return line(head) + rows.map(line).join('');
}

export async function kerberosImport(ctx: CommandContext, domainName: string, file: string): Promise<void> {
  const domain = await requireDomain(ctx.store, domainName);
  let data: Buffer;
  try {
    data = await readFile(resolve(ctx.io.cwd, file));
  } catch (err) {
    throw new CommandError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let added: KeySummary[];
  try {
    added = await importKeytab(ctx.store, domain, data);
  } catch (err) {
    if (err instanceof KeytabFormatError) throw new UsageError(`${file}: ${err.message}`);
    throw asCliError(err);
  }
  ctx.io.out(`imported ${added.length} key(s) into ${domain.name}\n${added.length ? table(added) : ''}`);
}

export async function kerberosList(ctx: CommandContext, domainName: string): Promise<void> {
  const domain = await requireDomain(ctx.store, domainName);
  const keys = listKeys(domain);
  ctx.io.out(keys.length ? table(keys) : `no Kerberos keys in ${domain.name}\n`);
}

export async function kerberosDelete(ctx: CommandContext, domainName: string, ids: string[]): Promise<void> {
  if (ids.length === 0) throw new UsageError('kerberos delete needs key IDs (see kerberos list)');
  const domain = await requireDomain(ctx.store, domainName);
  const { deleted, unknown } = await deleteKeys(ctx.store, domain, ids);
  if (unknown.length) throw new CommandError(`no such key in ${domain.name}: ${unknown.join(' ')}${deleted.length ? ` (deleted ${deleted.join(' ')})` : ''}`);
  ctx.io.out(`deleted ${deleted.length} key(s) from ${domain.name}\n`);
}
