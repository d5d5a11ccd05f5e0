/**
 * The `portcullis` command. Exit codes: 0 done, 1 the command failed (exists, not found, start
 * failure), 2 bad usage, config, key or value.
 */
import { parseArgs } from 'node:util';
import { accountCreate, accountDelete, accountSet, accountShow } from './commands/account.js';
import { accountImport } from './commands/account-import.js';
import { aclArgv, runAcl } from './commands/acl.js';
import { ensureMainDomain, openContext, type CliIo, type CommandContext } from './commands/context.js';
import { domainCreate, domainDelete, domainSet, domainShow } from './commands/domain.js';
import { runGroup } from './commands/group.js';
import { kerberosDelete, kerberosImport, kerberosList } from './commands/kerberos.js';
import { runListener } from './commands/listener.js';
import { runMailbox } from './commands/mailbox.js';
import { runPki } from './commands/pki.js';
import { rightsGrant, rightsRevoke, rightsShow } from './commands/rights.js';
import { serverSet, serverShow } from './commands/server.js';
import { runTransfer } from './commands/transfer.js';
import { loadConfig } from './config/load.js';
import { UsageError } from './errors.js';
import { serve } from './serve/serve.js';

export const USAGE = `usage:
  portcullis serve [--config FILE]
  portcullis domain create NAME [KEY=VALUE ...]
  portcullis domain set NAME KEY=VALUE ...
  portcullis domain show NAME
  portcullis domain delete NAME [--force]   (--force: also when it has accounts; never the main domain)
  portcullis account create ADDRESS [--password P] [KEY=VALUE ...]
  portcullis account set ADDRESS KEY=VALUE ...
  portcullis account show ADDRESS
  portcullis account delete ADDRESS         (rights, group memberships, mailboxes too; never the main postmaster)
  portcullis account import FILE            (ADDRESS:HASH lines; hashes kept as U-crpt)
  portcullis server set KEY=VALUE ...
  portcullis server show
  portcullis rights grant ADDRESS RIGHT ...
  portcullis rights revoke ADDRESS [RIGHT ...]  (no RIGHT: all of them)
  portcullis rights show ADDRESS
  portcullis group create GROUP@DOMAIN [MEMBER ...]   (members: NAME, NAME@DOMAIN, #GROUP, #GROUP@DOMAIN)
  portcullis group add|remove GROUP@DOMAIN MEMBER ...
  portcullis group show|delete GROUP@DOMAIN
  portcullis group list DOMAIN
  portcullis mailbox list OWNER@DOMAIN      (the account's mailboxes and their ACLs)
  portcullis acl show OWNER@DOMAIN MAILBOX
  portcullis acl set OWNER@DOMAIN MAILBOX IDENTIFIER RIGHTS  (RIGHTS: lr replaces, +w adds, -s removes)
  portcullis acl delete OWNER@DOMAIN MAILBOX IDENTIFIER
  portcullis acl effective ACCOUNT OWNER@DOMAIN MAILBOX  (the rights and how the ACL gives them)
  portcullis kerberos import DOMAIN KEYTAB   (adds an MIT keytab's keys to the domain)
  portcullis kerberos list DOMAIN
  portcullis kerberos delete DOMAIN ID ...
  portcullis listener list                  (Grant/Deny in force: the config file's, or the override)
  portcullis listener grant|deny NAME [CIDR ...]  (NAME service:port; overrides the config file's list)
  portcullis listener reset NAME            (back to the config file's lists)
  portcullis pki dev-ca DIR [--domain D] [--client ADDRESS ...]  (a development CA, client certificates)
  portcullis export DIR                 (the whole directory as files)
  portcullis import DIR
Every command takes --config FILE (default ./portcullis.yaml if present, else embedded defaults).
Values: lists comma-separated (a,b), maps key:value pairs (k:v,k2:v2), nested keys with dots
(externalAuth.program=...), @FILE reads the value from a file, KEY= removes a key.
Rights: Master Settings Directory AllDomains AllDomainsRead Monitor (main-domain accounts only);
Domain CanImpersonate KerberosKeys (any account, for its own domain).
`;

interface ParsedCommand {
  positionals: string[];
  config: string | undefined;
  password: string | undefined;
  help: boolean;
  force: boolean;
}

function parse(argv: string[]): ParsedCommand {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        password: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        force: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    return { positionals, config: values.config, password: values.password, help: values.help ?? false, force: values.force ?? false };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function arity(args: string[], min: number, what: string): void {
  if (args.length < min) throw new UsageError(`missing ${what}`);
}

async function runAdmin(ctx: CommandContext, noun: string, verb: string | undefined, args: string[], password: string | undefined, force = false): Promise<void> {
  if (password !== undefined && !(noun === 'account' && verb === 'create')) {
    throw new UsageError('--password is only for account create');
  }
  if (force && !(noun === 'domain' && verb === 'delete')) throw new UsageError('--force is only for domain delete');
  const exact = (n: number) => {
    if (args.length > n) throw new UsageError(`unexpected argument '${args[n]!.split('=')[0]}'`);
  };
  // `domain create` of the main domain creates it with its settings instead
  const creatingMain = noun === 'domain' && verb === 'create' && args[0]?.toLowerCase() === ctx.config.mainDomain;
  if (!creatingMain) await ensureMainDomain(ctx.store, ctx.config.mainDomain);
  if (noun === 'group') return runGroup(ctx, verb, args);
  if (noun === 'listener') return runListener(ctx, verb, args);
  if (noun === 'acl') return runAcl(ctx, verb, args);
  if (noun === 'mailbox') return runMailbox(ctx, verb, args);
  switch (`${noun} ${verb ?? ''}`) {
    case 'domain create':
      arity(args, 1, 'domain NAME');
      return domainCreate(ctx, args[0]!, args.slice(1));
    case 'domain set':
      arity(args, 1, 'domain NAME');
      return domainSet(ctx, args[0]!, args.slice(1));
    case 'domain show':
      arity(args, 1, 'domain NAME');
      exact(1);
      return domainShow(ctx, args[0]!);
    case 'domain delete':
      arity(args, 1, 'domain NAME');
      exact(1);
      return domainDelete(ctx, args[0]!, force);
    case 'account delete':
      arity(args, 1, 'account ADDRESS');
      exact(1);
      return accountDelete(ctx, args[0]!);
    case 'account create':
      arity(args, 1, 'account ADDRESS');
      return accountCreate(ctx, args[0]!, password, args.slice(1));
    case 'account set':
      arity(args, 1, 'account ADDRESS');
      return accountSet(ctx, args[0]!, args.slice(1));
    case 'account show':
      arity(args, 1, 'account ADDRESS');
      exact(1);
      return accountShow(ctx, args[0]!);
    case 'account import':
      arity(args, 1, 'account import FILE');
      exact(1);
      return accountImport(ctx, args[0]!);
    case 'server set':
      return serverSet(ctx, args);
    case 'server show':
      exact(0);
      return serverShow(ctx);
    case 'rights grant':
      arity(args, 1, 'rights ADDRESS');
      return rightsGrant(ctx, args[0]!, args.slice(1));
    case 'rights revoke':
      arity(args, 1, 'rights ADDRESS');
      return rightsRevoke(ctx, args[0]!, args.slice(1));
    case 'rights show':
      arity(args, 1, 'rights ADDRESS');
      exact(1);
      return rightsShow(ctx, args[0]!);
    case 'kerberos import':
      arity(args, 2, 'kerberos DOMAIN KEYTAB');
      exact(2);
      return kerberosImport(ctx, args[0]!, args[1]!);
    case 'kerberos list':
      arity(args, 1, 'kerberos DOMAIN');
      exact(1);
      return kerberosList(ctx, args[0]!);
    case 'kerberos delete':
      arity(args, 1, 'kerberos DOMAIN');
      return kerberosDelete(ctx, args[0]!, args.slice(1));
    default:
      throw new UsageError(`unknown command '${[noun, verb].filter(Boolean).join(' ')}'`);
  }
}

/** Run one command; resolves with the exit code (serve resolves when it has stopped). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    // pki has options of its own that the admin commands' strict parser would refuse
    if (argv[0] === 'pki') return await runPki(argv.slice(1), io);
    // `acl set ... -s` and `-anyone`: operands that look like options
    const cmd = parse(argv[0] === 'acl' ? aclArgv(argv) : argv);
    const [noun, verb, ...args] = cmd.positionals;
    if (cmd.help || noun === undefined || noun === 'help') {
      (noun === undefined && !cmd.help ? io.err : io.out)(USAGE);
      return noun === undefined && !cmd.help ? 2 : 0;
    }
    if (noun === 'serve') {
      if (verb !== undefined) throw new UsageError(`unexpected argument '${verb}'`);
      if (cmd.password !== undefined) throw new UsageError('--password is only for account create');
      return await serve(await loadConfig(cmd.config, io.cwd), io);
    }
    if (noun === 'export' || noun === 'import') {
      if (cmd.password !== undefined) throw new UsageError('--password is only for account create');
      await runTransfer(noun, cmd.positionals.slice(1), cmd.config, io);
      return 0;
    }
    if (!['domain', 'account', 'server', 'rights', 'kerberos', 'group', 'listener', 'acl', 'mailbox'].includes(noun)) throw new UsageError(`unknown command '${noun}'`);
    const ctx = await openContext(cmd.config, io);
    try {
      await runAdmin(ctx, noun, verb, args, cmd.password, cmd.force);
    } finally {
      await ctx.store.close();
    }
    return 0;
  } catch (err) {
    const code = (err as { exitCode?: unknown }).exitCode;
    if (code === 1 || code === 2) {
      io.err(`portcullis: ${(err as Error).message}\n`);
      if (code === 2 && (err as Error).message.startsWith('unknown command')) io.err(USAGE);
      return code;
    }
    io.err(`portcullis: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
