/**
 * The client side of each measured login: one full connection (greeting, login, logout) as a list
 * of steps. A step's response is complete when its last CRLF line starts with one of `done`; it
 * succeeded when that line starts with `ok`. Parsing is kept to that so that the generator spends
 * its CPU on sockets, not on strings.
 */
import { createHash, createHmac } from 'node:crypto';

export interface Credentials {
  user: string;
  password: string;
}

export interface Step {
  /** last-line prefixes that end this step's response */
  done: readonly string[];
  /** the prefix among `done` that means success */
  ok: string;
  /** the line to send next (without CRLF), given the whole response; null: wait for the close */
  next(response: string): string | null;
}

export type ScenarioName = 'imap-login' | 'imap-plain' | 'imap-cram-md5' | 'pop-user' | 'pop-apop';

export interface Scenario {
  name: ScenarioName;
  title: string;
  protocol: 'imap' | 'pop';
  steps(c: Credentials): Step[];
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const IMAP_GREETING = ['* OK', '* BYE', '* PREAUTH'];
const tagged = (tag: string) => [`${tag} OK`, `${tag} NO`, `${tag} BAD`];
const POP = ['+OK', '-ERR'];

const imapLogout: Step = { done: tagged('b'), ok: 'b OK', next: () => null };
const popQuit: Step = { done: POP, ok: '+OK', next: () => null };

/** the `<...>` timestamp of an APOP-capable POP3 greeting */
function apopTimestamp(greeting: string): string {
  const m = /<[^>]*>/.exec(greeting);
  if (!m) throw new Error('the POP3 greeting offers no APOP timestamp');
  return m[0];
}

function cramResponse(c: Credentials, response: string): string {
  const line = response.slice(response.lastIndexOf('+ ') + 2).trim();
  const challenge = Buffer.from(line, 'base64').toString('latin1');
  return b64(`${c.user} ${createHmac('md5', c.password).update(challenge).digest('hex')}`);
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'imap-login',
    title: 'IMAP LOGIN',
    protocol: 'imap',
    steps: (c) => [
      { done: IMAP_GREETING, ok: '* OK', next: () => `a LOGIN ${c.user} ${c.password}` },
      { done: tagged('a'), ok: 'a OK', next: () => 'b LOGOUT' },
      imapLogout,
    ],
  },
  {
    name: 'imap-plain',
    title: 'IMAP AUTHENTICATE PLAIN (SASL-IR)',
    protocol: 'imap',
    steps: (c) => [
      { done: IMAP_GREETING, ok: '* OK', next: () => `a AUTHENTICATE PLAIN ${b64(`\0${c.user}\0${c.password}`)}` },
      { done: tagged('a'), ok: 'a OK', next: () => 'b LOGOUT' },
      imapLogout,
    ],
  },
  {
    name: 'imap-cram-md5',
    title: 'IMAP AUTHENTICATE CRAM-MD5',
    protocol: 'imap',
    steps: (c) => [
      { done: IMAP_GREETING, ok: '* OK', next: () => 'a AUTHENTICATE CRAM-MD5' },
      { done: ['+ ', ...tagged('a')], ok: '+ ', next: (r) => cramResponse(c, r) },
      { done: tagged('a'), ok: 'a OK', next: () => 'b LOGOUT' },
      imapLogout,
    ],
  },
  {
    name: 'pop-user',
    title: 'POP3 USER/PASS',
    protocol: 'pop',
    steps: (c) => [
      { done: POP, ok: '+OK', next: () => `USER ${c.user}` },
      { done: POP, ok: '+OK', next: () => `PASS ${c.password}` },
      { done: POP, ok: '+OK', next: () => 'QUIT' },
      popQuit,
    ],
  },
  {
    name: 'pop-apop',
    title: 'POP3 APOP',
    protocol: 'pop',
    steps: (c) => [
      {
        done: POP,
        ok: '+OK',
        next: (greeting) => `APOP ${c.user} ${createHash('md5').update(apopTimestamp(greeting) + c.password).digest('hex')}`,
      },
      { done: POP, ok: '+OK', next: () => 'QUIT' },
      popQuit,
    ],
  },
];

export function scenarioNamed(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario '${name}' (known: ${SCENARIOS.map((x) => x.name).join(', ')})`);
  return s;
}
