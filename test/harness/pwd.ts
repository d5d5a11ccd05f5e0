/** A raw PWD (poppassd) connection over LineClient. */
import { LineClient, type ConnectOptions } from './line-client.js';

export async function pwdConnect(port: number, opts: ConnectOptions = {}): Promise<{ c: LineClient; greeting: string }> {
  const c = await LineClient.connect(port, opts);
  return { c, greeting: await c.readLine() };
}

export async function pwdCommand(c: LineClient, line: string): Promise<string> {
  c.send(line);
  return c.readLine();
}

/** USER, PASS, then NEWPASS when given; every reply, then QUIT. */
export async function pwdChange(
  port: number,
  user: string,
  password: string,
  newPassword?: string,
  opts: ConnectOptions = {},
): Promise<{ greeting: string; user: string; pass: string; newpass?: string }> {
  const { c, greeting } = await pwdConnect(port, opts);
  try {
    const u = await pwdCommand(c, `USER ${user}`);
    const p = await pwdCommand(c, `PASS ${password}`);
    const out: { greeting: string; user: string; pass: string; newpass?: string } = { greeting, user: u, pass: p };
    if (newPassword !== undefined && p.startsWith('200')) out.newpass = await pwdCommand(c, `NEWPASS ${newPassword}`);
    await pwdCommand(c, 'QUIT').catch(() => undefined);
    return out;
  } finally {
    c.close();
  }
}
