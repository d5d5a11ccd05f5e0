/**
 * RFC 4314 ACL commands over the MailboxStore: SETACL, DELETEACL, GETACL, LISTRIGHTS (all need
 * the a right) and MYRIGHTS (any right). Identifiers are the spec's ACL element names (`sam`,
 * `sam@other.test`, `#sales`, `anyone`, `anyone@`, `null@null`) with RFC 4314's `-` prefix for
 * removed rights and the spec's `+` for added ones; rights are RFC 4314 letters. The merge is
 * auth-core's ACL model.
 */
import {
  ACL_RIGHTS,
  ALL_ACL_RIGHTS,
  AclError,
  identifierDomain,
  parseIdentifier,
  parseRightsChange,
  existingSpelling,
  removeAclEntry,
  setAclEntry,
  type DirectoryStore,
  type ParsedIdentifier,
  validateAclIdentifier,
} from '@portcullis/auth-core';
import { asAString, astring, untagged, type ImapCommand } from '../codec/index.js';
import { mailboxAcl, withAcl } from '../store/mailbox-document.js';
import { nonexistent, refuse, type CommandContext } from './command-context.js';

export const ACL_COMMANDS = new Set(['SETACL', 'DELETEACL', 'GETACL', 'LISTRIGHTS', 'MYRIGHTS']);

/** The CAPABILITY words of this module: RIGHTS=texk says t, e, x and k are separate rights. */
export const ACL_CAPABILITIES = ['ACL', 'RIGHTS=texk'];

/**
 * Rights as sent to a client: RFC 4314 2.1.1 has servers also report the obsolete virtual rights
 * of RFC 2086, c (for k or x) and d (for t or e), so that older clients understand them.
 */
export function rightsForClient(rights: string): string {
  let out = rights;
  if (/[kx]/.test(rights)) out += 'c';
  if (/[te]/.test(rights)) out += 'd';
  return out;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** Whether `parsed` names exactly `owner` (who holds every right whatever the ACL says). */
function namesOwner(parsed: ParsedIdentifier, owner: string): boolean {
  return parsed.kind === 'account' && parsed.prefix === '' && `${parsed.name}@${identifierDomain(parsed, domainOf(owner))}` === owner;
}

export interface AclCommandOptions {
  /** when set, identifiers must name real domains, accounts and groups ("real names only") */
  directory?: DirectoryStore;
}

export async function aclCommand(ctx: CommandContext, cmd: ImapCommand, options: AclCommandOptions): Promise<void> {
  switch (cmd.name) {
    case 'SETACL':
    case 'DELETEACL':
      return changeAcl(ctx, cmd, options);
    case 'GETACL':
    case 'MYRIGHTS':
      return showRights(ctx, cmd);
    case 'LISTRIGHTS':
      return listRights(ctx, cmd);
  }
  return ctx.bad(cmd.tag, 'unknown command');
}

async function changeAcl(ctx: CommandContext, cmd: ImapCommand, options: AclCommandOptions): Promise<void> {
  const { tag, name, args } = cmd;
  const setting = name === 'SETACL';
  const input = asAString(args[0]);
  const identifier = asAString(args[1]);
  const rightsSpec = setting ? asAString(args[2]) : '';
  if (input === null || identifier === null || rightsSpec === null || args.length !== (setting ? 3 : 2)) {
    return ctx.bad(tag, setting ? 'SETACL expects a mailbox, an identifier and rights' : 'DELETEACL expects a mailbox and an identifier');
  }
  const parsed = parseIdentifier(identifier);
  if (parsed instanceof AclError) return ctx.bad(tag, parsed.message);
  if (setting) {
    try {
      parseRightsChange(rightsSpec);
    } catch (err) {
      // RFC 4314 3.1: an unknown right letter is a BAD
      if (err instanceof AclError) return ctx.bad(tag, err.message);
      throw err;
    }
  }
  const ref = ctx.access.resolve(input);
  if (ref.kind !== 'mailbox') return nonexistent(ctx, tag);
  const { owner } = ref;
  if (setting && options.directory) {
    const valid = await validateAclIdentifier(identifier, options.directory, domainOf(owner));
    if (valid instanceof AclError) return ctx.reply(tag, 'NO', valid.message, 'CANNOT');
  }
  const { result, rights } = await ctx.access.updateIfAllowed(owner, ref.name, 'a', (doc) => {
    const acl = mailboxAcl(doc, ref.name);
    const spelling = existingSpelling(acl.map((e) => e.identifier), identifier, domainOf(owner));
    const changed = setting ? setAclEntry(acl, spelling, rightsSpec) : removeAclEntry(acl, spelling);
    return { next: withAcl(doc, ref.name, changed), result: 'done' as const };
  });
  if (result === 'nonexistent') return nonexistent(ctx, tag);
  if (result === 'noperm') return refuse(ctx, tag, rights, 'a');
  ctx.log({ mailbox: ref.name, owner, identifier: parsed.canonical, command: name }, 'mailbox ACL changed');
  return ctx.reply(tag, 'OK', `${name} completed`);
}

async function showRights(ctx: CommandContext, cmd: ImapCommand): Promise<void> {
  const { tag, name, args } = cmd;
  const input = asAString(args[0]);
  if (input === null || args.length !== 1) return ctx.bad(tag, `${name} expects a mailbox name`);
  const ref = ctx.access.resolve(input);
  if (ref.kind !== 'mailbox') return nonexistent(ctx, tag);
  const opened = await ctx.access.open(ref.owner, ref.name);
  if (!opened) return nonexistent(ctx, tag);
  const mailbox = astring(opened.external);
  if (name === 'MYRIGHTS') {
    // RFC 4314 4: any of l, r, i, k, x, a lets one ask
    if (!/[lrikxa]/.test(opened.rights)) return nonexistent(ctx, tag);
    ctx.write(untagged(`MYRIGHTS ${mailbox} ${astring(rightsForClient(opened.rights))}`));
    return ctx.reply(tag, 'OK', 'MYRIGHTS completed');
  }
  if (!opened.rights.includes('a')) return refuse(ctx, tag, opened.rights, 'a');
  const entries = mailboxAcl(opened.doc, opened.name).map((e) => ` ${astring(e.identifier)} ${astring(rightsForClient(e.rights))}`);
  ctx.write(untagged(`ACL ${mailbox}${entries.join('')}`));
  return ctx.reply(tag, 'OK', 'GETACL completed');
}

async function listRights(ctx: CommandContext, cmd: ImapCommand): Promise<void> {
  const { tag, args } = cmd;
  const input = asAString(args[0]);
  const identifier = asAString(args[1]);
  if (input === null || identifier === null || args.length !== 2) return ctx.bad(tag, 'LISTRIGHTS expects a mailbox and an identifier');
  const parsed = parseIdentifier(identifier);
  if (parsed instanceof AclError) return ctx.bad(tag, parsed.message);
  const ref = ctx.access.resolve(input);
  if (ref.kind !== 'mailbox') return nonexistent(ctx, tag);
  const opened = await ctx.access.open(ref.owner, ref.name);
  if (!opened) return nonexistent(ctx, tag);
  if (!opened.rights.includes('a')) return refuse(ctx, tag, opened.rights, 'a');
  // the owner always holds every right; anyone else may be granted each right on its own
  const line = namesOwner(parsed, opened.owner)
    ? `${astring(rightsForClient(ALL_ACL_RIGHTS))}`
    : `"" ${ACL_RIGHTS.map((r) => r.letter).join(' ')}`;
  ctx.write(untagged(`LISTRIGHTS ${astring(opened.external)} ${astring(identifier)} ${line}`));
  return ctx.reply(tag, 'OK', 'LISTRIGHTS completed');
}
