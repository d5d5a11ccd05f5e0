/**
 * `osUserName`: the OS user an account maps to. `*` stands for the account name, so `*-mail`
 * maps joe to joe-mail. A `%` names a Windows domain (user%domain), which has no meaning on Unix:
 * such a setting is refused rather than looked up as a literal name.
 */

/** what useradd accepts on Debian by default (NAME_REGEX), plus a trailing `$` for machine accounts */
const UNIX_NAME_RE = /^[a-z_][a-z0-9_.-]{0,30}\$?$/i;

export type OsUserNameResult = { ok: true; name: string } | { ok: false; reason: string };

export function composeOsUserName(pattern: string | undefined, accountName: string): OsUserNameResult {
  const template = pattern === undefined || pattern === '' ? '*' : pattern;
  if (template.includes('%')) return { ok: false, reason: 'osUserName names a Windows domain (%), not available on Unix' };
  const name = template.split('*').join(accountName);
  if (!UNIX_NAME_RE.test(name)) return { ok: false, reason: 'the composed OS user name is not a valid Unix user name' };
  return { ok: true, name };
}
