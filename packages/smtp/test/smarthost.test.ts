/**
 * Relaying through nodemailer's SMTP transport: to a second instance of our own SMTP session
 * (a real conversation with EHLO, AUTH, MAIL, RCPT and DATA) and to a tiny sink written here
 * that refuses, to see 5xx and 4xx from the smarthost reach the client correctly.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SmarthostSink } from '../src/index.js';
import { ALICE, PASSWORD, testAuth } from './support/auth.js';
import { b64, SmtpClient } from './support/client.js';
import { readSpool, startSmtpServer, type TestServer } from './support/server.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function tmpDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smtp-relay-'));
  cleanup.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function frontWith(sink: SmarthostSink): Promise<TestServer> {
  const front = await startSmtpServer({ authenticator: testAuth().authenticator, serverName: 'front.example.test' }, { sink });
  cleanup.push(() => front.close());
  cleanup.push(() => sink.close());
  return front;
}

async function send(port: number, body: string): Promise<{ code: number; text: string }> {
  const c = await SmtpClient.connect(port);
  try {
    await c.reply();
    await c.cmd('EHLO client.test');
    expect((await c.cmd(`AUTH PLAIN ${b64(`\0${ALICE}\0${PASSWORD}`)}`)).code).toBe(235);
    expect((await c.cmd('MAIL FROM:<alice@example.test>')).code).toBe(250);
    expect((await c.cmd('RCPT TO:<bob@example.test>')).code).toBe(250);
    expect((await c.cmd('DATA')).code).toBe(354);
    return await c.cmd(`${body}\r\n.`);
  } finally {
    c.end();
  }
}

/** A minimal SMTP server that answers each command from a script, for refusals. */
async function refusingSink(dataReply: string): Promise<number> {
  const srv = net.createServer((sock) => {
    let inData = false;
    let buf = '';
    sock.write('220 sink ESMTP\r\n');
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            sock.write(`${dataReply}\r\n`);
          }
        } else if (/^EHLO/i.test(line)) sock.write('250-sink\r\n250 8BITMIME\r\n');
        else if (/^DATA/i.test(line)) {
          inData = true;
          sock.write('354 go\r\n');
        } else if (/^QUIT/i.test(line)) sock.end('221 bye\r\n');
        else sock.write('250 ok\r\n');
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
  return (srv.address() as net.AddressInfo).port;
}

describe('smarthost relay', () => {
  it('relays through a second instance of our SMTP session, authenticating there', async () => {
    const back = await startSmtpServer({ authenticator: testAuth().authenticator, serverName: 'back.example.test' });
    cleanup.push(() => back.close());
    const relayTmp = await tmpDir();
    const sink = new SmarthostSink(relayTmp, {
      host: '127.0.0.1',
      port: back.port,
      auth: { user: ALICE, pass: PASSWORD },
      name: 'front.example.test',
    });
    const front = await frontWith(sink);
    const r = await send(front.port, 'Subject: relayed\r\n\r\n..a dot line\r\nbye');
    expect(r.code).toBe(250);
    expect(r.text).toMatch(/^2\.0\.0 relayed as /);
    const [message] = [...(await readSpool(back.spoolDir)).values()];
    expect(message?.envelope).toMatchObject({ from: 'alice@example.test', to: ['bob@example.test'], account: ALICE, helo: 'front.example.test' });
    // two Received headers: the back's on top of the front's, then the message as sent
    const received = message!.eml.match(/^Received: .*$/gm) ?? [];
    expect(received).toHaveLength(2);
    expect(message!.eml).toContain('by back.example.test (Portcullis)');
    expect(message!.eml).toContain('by front.example.test (Portcullis)');
    expect(message!.eml.endsWith('Subject: relayed\r\n\r\n.a dot line\r\nbye\r\n')).toBe(true);
    // the relay's temporary copy is gone once the smarthost has it
    expect(await fs.readdir(relayTmp)).toEqual([]);
  });

  it('a permanent refusal from the smarthost is a 554 to the client', async () => {
    const port = await refusingSink('550 5.7.1 no thanks');
    const front = await frontWith(new SmarthostSink(await tmpDir(), { host: '127.0.0.1', port }));
    const r = await send(front.port, 'Subject: x\r\n\r\ny');
    expect(r.code).toBe(554);
    expect(r.text).toContain('no thanks');
  });

  it('a temporary refusal or a dead smarthost is a 451', async () => {
    const port = await refusingSink('451 4.3.0 later');
    const front = await frontWith(new SmarthostSink(await tmpDir(), { host: '127.0.0.1', port }));
    expect((await send(front.port, 'Subject: x\r\n\r\ny')).code).toBe(451);

    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const front2 = await frontWith(new SmarthostSink(await tmpDir(), { host: '127.0.0.1', port: deadPort, timeout: 5 }));
    expect((await send(front2.port, 'Subject: x\r\n\r\ny')).code).toBe(451);
  });
});
