#!/usr/bin/env node
/* global process, setTimeout, Buffer */
// A sample External Authentication helper for Portcullis (see packages/ext-auth/README.md).
// Usage: node sample-helper.mjs USERS_FILE   -- USERS_FILE holds lines `user@domain:password`.
// It answers INTF, VRFY, NEW, and SASL(CRAM-MD5) / SASL(APOP) by computing the digest the
// client should have sent from the password in the file.
// It answers each request after a short random delay, so replies come out of order, as the
// protocol allows. A sample only: a real helper asks a real user database.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const usersFile = process.argv[2];
if (!usersFile) {
  process.stderr.write('usage: sample-helper.mjs USERS_FILE\n');
  process.exit(2);
}

function loadUsers() {
  const users = new Map();
  for (const line of readFileSync(usersFile, 'utf8').split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) users.set(line.slice(0, at).toLowerCase(), line.slice(at + 1));
  }
  return users;
}

// arguments: plain words, or "..." with \" and \\ escaped
function decodeArgs(text) {
  const out = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m;
  while ((m = re.exec(text))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
  return out;
}

function same(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// the digest a client with this password sends for this challenge, or null for other methods
function expectedDigest(method, challenge, password) {
  if (method === 'CRAM-MD5') return createHmac('md5', password).update(challenge).digest('hex');
  if (method === 'APOP') return createHash('md5').update(challenge + password).digest('hex');
  return null;
}

function answer(seq, cmd, args) {
  const users = loadUsers(); // re-read each time, so the file can change under a running helper
  switch (cmd) {
    case 'INTF':
      return `${seq} INTF 1`;
    case 'VRFY': {
      const [user = '', password = ''] = args;
      const stored = users.get(user.toLowerCase());
      return stored !== undefined && same(stored, password) ? `${seq} OK` : `${seq} ERROR wrong password`;
    }
    case 'NEW':
      return users.has((args[0] ?? '').toLowerCase()) ? `${seq} OK` : `${seq} ERROR unknown user`;
    default: {
      const sasl = /^SASL\((.+)\)$/.exec(cmd);
      if (!sasl) return `${seq} ERROR unsupported command`;
      const [user = '', challenge = '', response = ''] = args;
      const stored = users.get(user.toLowerCase());
      const expected = stored === undefined ? null : expectedDigest(sasl[1], challenge, stored);
      if (expected === null && stored !== undefined) return `${seq} ERROR method ${sasl[1]} not supported`;
      return expected !== null && same(expected, response.toLowerCase()) ? `${seq} OK` : `${seq} ERROR wrong password`;
    }
  }
}

process.stdout.write('* sample node helper started\n');
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const m = /^(\d+) (\S+) ?(.*)$/.exec(line);
  if (!m) return;
  const [, seq, cmd, rest] = m;
  const reply = answer(seq, cmd.toUpperCase(), decodeArgs(rest));
  setTimeout(() => process.stdout.write(`${reply}\n`), Math.floor(Math.random() * 20));
});
rl.on('close', () => setTimeout(() => process.exit(0), 30));
