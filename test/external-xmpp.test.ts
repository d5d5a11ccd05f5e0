/**
 * SASL EXTERNAL on the XMPP listener (implicit TLS) with a client certificate from
 * `portcullis pki dev-ca`, over a raw stream: the generic SASL path (RFC 6120 6.4, `=` as the
 * empty authzid) with the stream's `to` domain as the domain whose CA is trusted.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { ALICE, createAccount, stopCleanly } from './harness/fixtures.js';

const LISTENERS = { xmpps: { service: 'xmpp', tls: 'implicit' } } as const;

let gw: Gateway<keyof typeof LISTENERS>;
let pki: string;
let otherPki: string;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  pki = path.join(gw.dir, 'pki');
  otherPki = path.join(gw.dir, 'other-pki');
  await gw.cliOk('pki', 'dev-ca', pki, '--domain', MAIN_DOMAIN, '--client', ALICE.address, '--client', `nocert@${MAIN_DOMAIN}`);
  await gw.cliOk('pki', 'dev-ca', otherPki, '--domain', 'elsewhere.test', '--client', ALICE.address);
  await gw.cliOk('domain', 'set', MAIN_DOMAIN, `trustedCA=@${path.join(pki, 'ca.pem')}`);
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, `nocert@${MAIN_DOMAIN}`, 'Nocert-Secret-1', 'allowCertificate=false');
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, 'Nocert-Secret-1']);
});

/** Open a stream with `dir/address` as the client certificate (or none); run `auth` once features came. */
async function streamWith(dir: string | null, address: string, auth: string | null): Promise<{ features: string; reply: string }> {
  const cert = dir ? { cert: await fs.readFile(path.join(dir, `${address}.pem`)), key: await fs.readFile(path.join(dir, `${address}.key`)) } : {};
  const socket = tls.connect({ host: '127.0.0.1', port: gw.ports.xmpps, rejectUnauthorized: false, ...cert });
  socket.setEncoding('utf8');
  let data = '';
  const waitFor = (re: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}: ${data}`)), 10_000);
      const check = (): void => {
        const m = re.exec(data);
        if (!m) return;
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(m[0]);
      };
      const onData = (d: string): void => {
        data += d;
        check();
      };
      socket.on('data', onData);
      check();
    });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    socket.write(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${MAIN_DOMAIN}' version='1.0'>`);
    const features = await waitFor(/<stream:features[\s\S]*?<\/stream:features>/);
    if (auth === null) return { features, reply: '' };
    socket.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>${auth}</auth>`);
    const reply = await waitFor(/<success[^>]*\/>|<success[\s\S]*?<\/success>|<failure[\s\S]*?<\/failure>/);
    return { features, reply };
  } finally {
    socket.destroy();
  }
}

describe('XMPP SASL EXTERNAL', () => {
  it('is offered only to a client that presented a certificate', async () => {
    expect((await streamWith(pki, ALICE.address, null)).features).toContain('<mechanism>EXTERNAL</mechanism>');
    expect((await streamWith(null, ALICE.address, null)).features).not.toContain('EXTERNAL');
  });

  it('logs in with `=` (empty authzid) and with the own address as authzid', async () => {
    expect((await streamWith(pki, ALICE.address, '=')).reply).toMatch(/^<success/);
    expect((await streamWith(pki, ALICE.address, Buffer.from(ALICE.address).toString('base64'))).reply).toMatch(/^<success/);
  });

  it('refuses a certificate of another CA and an account with allowCertificate off', async () => {
    expect((await streamWith(otherPki, ALICE.address, '=')).reply).toMatch(/^<failure/);
    expect((await streamWith(pki, `nocert@${MAIN_DOMAIN}`, '=')).reply).toMatch(/^<failure/);
  });
});
