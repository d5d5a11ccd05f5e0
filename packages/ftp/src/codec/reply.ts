/**
 * FTP replies (RFC 959 section 4.2): `code text` on one line, or the multi-line form
 * `code-first` ... `code last`. Text that comes from elsewhere (names, messages) is cleaned so
 * that it can never end the line early or forge a reply.
 */

/** Control characters (CR and LF among them) become spaces. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

export function reply(code: number, text: string): string {
  return `${code} ${cleanText(text)}\r\n`;
}

/**
 * A multi-line reply. Inner lines start with a space so that none can be mistaken for the
 * closing `code ` line (RFC 959 allows any text there; a leading space is the usual safe form).
 */
export function multiReply(code: number, first: string, lines: readonly string[], last: string): string {
  const body = lines.map((l) => ` ${cleanText(l)}\r\n`).join('');
  return `${code}-${cleanText(first)}\r\n${body}${code} ${cleanText(last)}\r\n`;
}

/** A path name in a 257 reply: quoted, with embedded double quotes doubled (RFC 959 appendix II). */
export function quotePath(path: string): string {
  return `"${cleanText(path).replace(/"/g, '""')}"`;
}

/** 227 for PASV (RFC 959): h1,h2,h3,h4,p1,p2. */
export function pasvReply(ipv4: string, port: number): string {
  const hosts = ipv4.split('.').join(',');
  return reply(227, `Entering Passive Mode (${hosts},${port >> 8},${port & 0xff})`);
}

/** 229 for EPSV (RFC 2428): the port only; the client uses the control connection's address. */
export function epsvReply(port: number): string {
  return reply(229, `Entering Extended Passive Mode (|||${port}|)`);
}
