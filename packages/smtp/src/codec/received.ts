/**
 * The Received trace header (RFC 5321 section 4.4, RFC 5322 section 3.6.7) with the "with"
 * protocol names of RFC 3848 / RFC 6531 (ESMTPSA: ESMTP, TLS, AUTH). Pure.
 */
import { isIP } from 'node:net';

export interface ReceivedFacts {
  /** the EHLO/HELO argument */
  helo: string;
  clientAddress: string;
  /** the authenticated account (authzid) */
  account: string;
  serverName: string;
  esmtp: boolean;
  tls: boolean;
  smtputf8: boolean;
  id: string;
  /** the single recipient, named only when there is exactly one (RFC 5321 4.4 warns about more) */
  recipient?: string;
  date: Date;
}

/** text that can only ever be a comment's content: no parentheses, backslashes or controls */
function commentText(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[()\\\x00-\x1f\x7f]/g, '?').slice(0, 200);
}

/** an EHLO argument as an atom-ish token; anything odd becomes '?' */
function heloText(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9.\-[\]:_\u0080-\uffff]/g, '?').slice(0, 200);
  return safe === '' ? 'unknown' : safe;
}

export function addressLiteral(address: string): string {
  return isIP(address) === 6 ? `[IPv6:${address}]` : `[${address}]`;
}

export function protocolName(facts: Pick<ReceivedFacts, 'esmtp' | 'tls' | 'smtputf8'>): string {
  // RFC 3848: A = authenticated, S = TLS; RFC 6531 section 3.7.4: UTF8SMTP
  const base = facts.smtputf8 ? 'UTF8SMTP' : facts.esmtp ? 'ESMTP' : 'SMTP';
  if (base === 'SMTP') return facts.tls ? 'ESMTPSA' : 'ESMTPA';
  return `${base}${facts.tls ? 'S' : ''}A`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date-time in UTC: `Tue, 21 May 2024 10:00:00 +0000` */
export function rfc5322Date(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** The whole header field, folded, CRLF-terminated. */
export function receivedHeader(facts: ReceivedFacts): string {
  const forClause = facts.recipient !== undefined && /^[\x21-\x7e\u0080-\uffff]+$/u.test(facts.recipient) ? `\r\n\tfor <${facts.recipient}>` : '';
  return (
    `Received: from ${heloText(facts.helo)} (${addressLiteral(facts.clientAddress)})\r\n` +
    `\t(authenticated as ${commentText(facts.account)})\r\n` +
    `\tby ${heloText(facts.serverName)} (Portcullis) with ${protocolName(facts)}\r\n` +
    `\tid ${facts.id}${forClause};\r\n` +
    `\t${rfc5322Date(facts.date)}\r\n`
  );
}
