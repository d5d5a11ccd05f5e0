/**
 * The bare baseline: the least a Node process must do to serve the same IMAP and POP3 logins as
 * the gateway (greeting, LOGIN / AUTHENTICATE PLAIN with SASL-IR / CRAM-MD5, USER+PASS / APOP,
 * LOGOUT / QUIT) for one hard-coded user, on plain `node:net` with no library. Every gateway figure
 * is a ratio to this process, run on the same machine in the same bench run.
 *
 * Usage: node bare-server.js IMAP_PORT POP_PORT USER PASSWORD; prints `ready` when listening.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Socket } from 'node:net';

const [imapPort, popPort, USER = 'bench@bench.test', PASSWORD = 'bench-Password-1'] = process.argv.slice(2);
const PASS_BYTES = Buffer.from(PASSWORD);
const MAX_LINE = 8192;

function same(a: string, b: Buffer): boolean {
  const x = Buffer.from(a);
  return x.length === b.length && timingSafeEqual(x, b);
}

/** Feed complete CRLF lines of a socket to `onLine`; an over-long line closes the connection. */
function lines(sock: Socket, onLine: (line: string) => void): void {
  let buf = '';
  sock.setEncoding('latin1');
  sock.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      onLine(line);
      if (sock.destroyed) return;
    }
    if (buf.length > MAX_LINE) sock.destroy();
  });
  sock.on('error', () => sock.destroy());
}

function imap(sock: Socket): void {
  sock.setNoDelay(true);
  let authed = false;
  /** set while a SASL exchange waits for the client's next line */
  let pending: { tag: string; mech: 'PLAIN' | 'CRAM-MD5'; challenge: string } | undefined;
  const finish = (tag: string, ok: boolean) => {
    authed = ok;
    sock.write(ok ? `${tag} OK Logged in\r\n` : `${tag} NO [AUTHENTICATIONFAILED] Authentication failed\r\n`);
  };
  const plain = (b64: string): boolean => {
    const parts = Buffer.from(b64, 'base64').toString('utf8').split('\0');
    return parts.length === 3 && parts[1] === USER && same(parts[2]!, PASS_BYTES);
  };
  const cram = (b64: string, challenge: string): boolean => {
    const [user, digest] = Buffer.from(b64, 'base64').toString('utf8').split(' ');
    const expected = createHmac('md5', PASS_BYTES).update(challenge).digest('hex');
    return user === USER && digest !== undefined && same(digest, Buffer.from(expected));
  };
  sock.write('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=CRAM-MD5] bare ready\r\n');
  lines(sock, (line) => {
    if (pending) {
      const { tag, mech, challenge } = pending;
      pending = undefined;
      if (line === '*') return void sock.write(`${tag} BAD cancelled\r\n`);
      return finish(tag, mech === 'PLAIN' ? plain(line) : cram(line, challenge));
    }
    const [tag = '*', cmd = '', a1, a2] = line.split(' ');
    switch (cmd.toUpperCase()) {
      case 'LOGIN':
        if (authed) return void sock.write(`${tag} BAD already authenticated\r\n`);
        return finish(tag, a1 === USER && a2 !== undefined && same(a2, PASS_BYTES));
      case 'AUTHENTICATE': {
        if (authed) return void sock.write(`${tag} BAD already authenticated\r\n`);
        const mech = a1?.toUpperCase();
        if (mech === 'PLAIN') {
          if (a2 !== undefined) return finish(tag, plain(a2));
          pending = { tag, mech, challenge: '' };
          return void sock.write('+ \r\n');
        }
        if (mech === 'CRAM-MD5') {
          const challenge = `<${randomBytes(8).toString('hex')}.${Date.now()}@bare>`;
          pending = { tag, mech, challenge };
          return void sock.write(`+ ${Buffer.from(challenge).toString('base64')}\r\n`);
        }
        return void sock.write(`${tag} NO unsupported mechanism\r\n`);
      }
      case 'LOGOUT':
        sock.end(`* BYE logging out\r\n${tag} OK LOGOUT completed\r\n`);
        return;
      case 'CAPABILITY':
        return void sock.write(`* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=CRAM-MD5\r\n${tag} OK done\r\n`);
      case 'NOOP':
        return void sock.write(`${tag} OK done\r\n`);
      default:
        return void sock.write(`${tag} BAD unknown command\r\n`);
    }
  });
}

function pop(sock: Socket): void {
  sock.setNoDelay(true);
  const timestamp = `<${process.pid}.${randomBytes(8).toString('hex')}@bare>`;
  let user: string | undefined;
  let authed = false;
  sock.write(`+OK bare ready ${timestamp}\r\n`);
  lines(sock, (line) => {
    const sp = line.indexOf(' ');
    const cmd = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
    const arg = sp < 0 ? '' : line.slice(sp + 1);
    switch (cmd) {
      case 'USER':
        user = arg;
        return void sock.write('+OK send PASS\r\n');
      case 'PASS': {
        const ok = !authed && user === USER && same(arg, PASS_BYTES);
        authed ||= ok;
        return void sock.write(ok ? '+OK logged in\r\n' : '-ERR [AUTH] authentication failed\r\n');
      }
      case 'APOP': {
        const [name, digest] = arg.split(' ');
        const expected = createHash('md5').update(timestamp).update(PASS_BYTES).digest('hex');
        const ok = !authed && name === USER && digest !== undefined && same(digest.toLowerCase(), Buffer.from(expected));
        authed ||= ok;
        return void sock.write(ok ? '+OK logged in\r\n' : '-ERR [AUTH] authentication failed\r\n');
      }
      case 'QUIT':
        sock.end('+OK bye\r\n');
        return;
      default:
        return void sock.write('-ERR unknown command\r\n');
    }
  });
}

const imapServer = createServer(imap);
const popServer = createServer(pop);
let listening = 0;
const ready = () => {
  if (++listening === 2) process.stdout.write('ready\n');
};
imapServer.listen(Number(imapPort), '127.0.0.1', ready);
popServer.listen(Number(popPort), '127.0.0.1', ready);
process.on('SIGTERM', () => {
  imapServer.close();
  popServer.close();
  process.exit(0);
});
