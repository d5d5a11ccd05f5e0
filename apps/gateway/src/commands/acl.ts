/**
 * `portcullis acl show|set|delete|effective` and `portcullis mailbox list`: the RFC 4314 ACLs of
 * the built-in IMAP session's mailboxes, kept in the MailboxStore beside the directory. The
 * operations take a StoreContext (plus the running gateway's MailboxStore when there is one) so
 * that the admin API shares them.
 */
import {
  AclError,
  aclFromRecord,
  aclSubjectFor,
  aclToRecord,
  existingSpelling,
  explainEffectiveRights,
  parseIdentifier,
  parseRightsChange,
  removeAclEntry,
  setAclEntry,
  validateAclIdentifier,
  type AccountMailboxes,
  type AclExplanation,
  type MailboxStore,
} from '@portcullis/auth-core';
import { UsageError } from '../errors.js';
import { asCliError, NotFoundError, requireAccount, withMailboxes, type CommandContext, type StoreContext } from './context.js';

/** What the ACL operations need: the directory, and the gateway's mailbox store when it runs. */
export type AclContext = StoreContext & { mailboxes?: MailboxStore | undefined };

const INBOX = 'INBOX';

export interface MailboxAclView {
  /** the owner's canonical address */
  owner: string;
  mailbox: string;
  /** identifier -> rights, as stored */
  acl: Record<string, string>;
}

export interface MailboxListView {
  owner: string;
  mailboxes: { name: string; acl: Record<string, string> }[];
}

export interface EffectiveView extends AclExplanation {
  account: string;
  owner: string;
  mailbox: string;
  acl: Record<string, string>;
}

/** INBOX in any letter case is INBOX (RFC 9051 5.1); other names are case-sensitive. */
export function mailboxName(raw: string): string {
  if (raw.length === 0) throw new UsageError('a mailbox name is empty');
  return raw.toUpperCase() === INBOX ? INBOX : raw;
}

function exists(doc: AccountMailboxes, name: string): boolean {
  return name === INBOX || Object.hasOwn(doc.mailboxes, name);
}

function aclOf(doc: AccountMailboxes, name: string): Record<string, string> {
  return { ...(Object.hasOwn(doc.mailboxes, name) ? doc.mailboxes[name]!.acl : {}) };
}

/** The owner's canonical address; the account must exist (a domain alias works). */
export async function requireOwner(ctx: StoreContext, address: string): Promise<{ address: string; domain: string }> {
  const owner = await requireAccount(ctx, address);
  return { address: `${owner.name}@${owner.domain}`, domain: owner.domain };
}

const noMailbox = (owner: string, name: string) => new NotFoundError(`${owner} has no mailbox ${name}`);

/** Every mailbox of the account, INBOX first, each with its ACL. */
export async function listMailboxes(ctx: AclContext, ownerAddress: string): Promise<MailboxListView> {
  const owner = await requireOwner(ctx, ownerAddress);
  const doc = await withMailboxes(ctx, (m) => m.getMailboxes(owner.address));
  const names = [INBOX, ...Object.keys(doc.mailboxes).filter((n) => n !== INBOX).sort()];
  return { owner: owner.address, mailboxes: names.map((name) => ({ name, acl: aclOf(doc, name) })) };
}

export async function getMailboxAcl(ctx: AclContext, ownerAddress: string, rawMailbox: string): Promise<MailboxAclView> {
  const owner = await requireOwner(ctx, ownerAddress);
  const mailbox = mailboxName(rawMailbox);
  const doc = await withMailboxes(ctx, (m) => m.getMailboxes(owner.address));
  if (!exists(doc, mailbox)) throw noMailbox(owner.address, mailbox);
  return { owner: owner.address, mailbox, acl: aclOf(doc, mailbox) };
}

/**
 * Set, add to (`+lr`) or take from (`-w`) one identifier's rights, as SETACL does. The identifier
 * must name a real domain, account or group ("real names only"); the rights must be RFC 4314
 * letters.
 */
export async function setMailboxAcl(ctx: AclContext, ownerAddress: string, rawMailbox: string, identifier: string, rightsSpec: string): Promise<MailboxAclView> {
  const owner = await requireOwner(ctx, ownerAddress);
  const mailbox = mailboxName(rawMailbox);
  try {
    parseRightsChange(rightsSpec);
  } catch (err) {
    if (err instanceof AclError) throw new UsageError(err.message);
    throw err;
  }
  const valid = await validateAclIdentifier(identifier, ctx.store, owner.domain);
  if (valid instanceof AclError) throw new UsageError(valid.message);
  return changeAcl(ctx, owner.address, mailbox, (acl) => setAclEntry(aclFromRecord(acl), existingSpelling(Object.keys(acl), identifier, owner.domain), rightsSpec));
}

/**
 * Remove one identifier's entry, as DELETEACL does. Only its spelling is checked: an entry naming
 * something that no longer exists must stay removable. No entry for it is a NotFoundError.
 */
export async function deleteMailboxAcl(ctx: AclContext, ownerAddress: string, rawMailbox: string, identifier: string): Promise<MailboxAclView> {
  const owner = await requireOwner(ctx, ownerAddress);
  const mailbox = mailboxName(rawMailbox);
  const parsed = parseIdentifier(identifier);
  if (parsed instanceof AclError) throw new UsageError(parsed.message);
  let missing = false;
  const view = await changeAcl(ctx, owner.address, mailbox, (acl) => {
    const before = aclFromRecord(acl);
    const after = removeAclEntry(before, existingSpelling(Object.keys(acl), identifier, owner.domain));
    missing = after.length === before.length;
    return after;
  });
  if (missing) throw new NotFoundError(`the ACL of ${owner.address} ${mailbox} has no entry for ${parsed.canonical}`);
  return view;
}

type AclChange = (acl: Record<string, string>) => ReturnType<typeof aclFromRecord>;

/** Change one mailbox's ACL atomically; INBOX gets its record (UIDVALIDITY 1) the first time. */
async function changeAcl(ctx: AclContext, owner: string, mailbox: string, change: AclChange): Promise<MailboxAclView> {
  const acl = await withMailboxes(ctx, (m) =>
    m.updateMailboxes(owner, (doc) => {
      if (!exists(doc, mailbox)) return { next: null, result: null };
      const next = aclToRecord(change(aclOf(doc, mailbox)));
      // INBOX's UIDVALIDITY is 1 whether or not it has a record (the IMAP session's rule)
      const record = doc.mailboxes[mailbox] ?? { uidValidity: 1, acl: {} };
      return { next: { ...doc, mailboxes: { ...doc.mailboxes, [mailbox]: { ...record, acl: next } } }, result: next };
    }),
  );
  if (acl === null) throw noMailbox(owner, mailbox);
  return { owner, mailbox, acl };
}

/** What `account` may do in the owner's mailbox, with the merge steps. */
export async function explainMailboxRights(ctx: AclContext, account: string, ownerAddress: string, rawMailbox: string): Promise<EffectiveView> {
  const { owner, mailbox, acl } = await getMailboxAcl(ctx, ownerAddress, rawMailbox);
  const who = await requireAccount(ctx, account);
  const subjectAddress = `${who.name}@${who.domain}`;
  const subject = await aclSubjectFor(ctx.store, subjectAddress);
  return { account: subjectAddress, owner, mailbox, acl, ...explainEffectiveRights(aclFromRecord(acl), owner, subject) };
}

export function aclText(acl: Record<string, string>): string {
  const entries = Object.entries(acl);
  return entries.length === 0 ? '(owner only)' : entries.map(([id, rights]) => `${id} ${rights === '' ? '(none)' : rights}`).join(', ');
}

function aclLine(view: MailboxAclView): string {
  return `${view.owner} ${view.mailbox}: ${aclText(view.acl)}\n`;
}

export async function cli<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw asCliError(err);
  }
}

const ACL_USAGE =
  'acl show OWNER@DOMAIN MAILBOX, acl set OWNER@DOMAIN MAILBOX IDENTIFIER RIGHTS, acl delete OWNER@DOMAIN MAILBOX IDENTIFIER, acl effective ACCOUNT OWNER@DOMAIN MAILBOX';

function exactly(args: string[], n: number, what: string): string[] {
  if (args.length < n) throw new UsageError(`missing ${what} (${ACL_USAGE})`);
  if (args.length > n) throw new UsageError(`unexpected argument '${args[n]}'`);
  return args;
}

/** The `acl` command: `verb` and its arguments as typed. */
export async function runAcl(ctx: CommandContext, verb: string | undefined, args: string[]): Promise<void> {
  switch (verb) {
    case 'show': {
      const [owner, mailbox] = exactly(args, 2, 'OWNER@DOMAIN MAILBOX');
      ctx.io.out(aclLine(await cli(() => getMailboxAcl(ctx, owner!, mailbox!))));
      return;
    }
    case 'set': {
      const [owner, mailbox, id, rights] = exactly(args, 4, 'OWNER@DOMAIN MAILBOX IDENTIFIER RIGHTS');
      ctx.io.out(aclLine(await cli(() => setMailboxAcl(ctx, owner!, mailbox!, id!, rights!))));
      return;
    }
    case 'delete': {
      const [owner, mailbox, id] = exactly(args, 3, 'OWNER@DOMAIN MAILBOX IDENTIFIER');
      ctx.io.out(aclLine(await cli(() => deleteMailboxAcl(ctx, owner!, mailbox!, id!))));
      return;
    }
    case 'effective': {
      const [account, owner, mailbox] = exactly(args, 3, 'ACCOUNT OWNER@DOMAIN MAILBOX');
      const view = await cli(() => explainMailboxRights(ctx, account!, owner!, mailbox!));
      ctx.io.out(`${view.account} in ${view.owner} ${view.mailbox}:\n`);
      for (const s of view.steps) ctx.io.out(`  ${s.step}: ${s.detail} -> ${s.rights === '' ? '(none)' : s.rights}\n`);
      ctx.io.out(`effective rights: ${view.rights === '' ? '(none)' : view.rights}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown command 'acl${verb ? ` ${verb}` : ''}' (${ACL_USAGE})`);
  }
}

/**
 * `acl` arguments as the strict option parser should see them: rights such as `-s` and negative
 * identifiers such as `-anyone` start with '-' but are operands, so only --config and --help
 * are taken as options and everything else goes after a `--`.
 */
export function aclArgv(argv: readonly string[]): string[] {
  const options: string[] = [];
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') operands.push(...argv.slice(i + 1));
    if (a === '--') break;
    if (a === '--config' && i + 1 < argv.length) options.push(a, argv[++i]!);
    else if (a.startsWith('--config=') || a === '--help' || a === '-h') options.push(a);
    else operands.push(a);
  }
  return [...options, '--', ...operands];
}
