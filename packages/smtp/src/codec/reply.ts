/**
 * SMTP replies (RFC 5321 section 4.2) with enhanced status codes (RFC 2034, RFC 3463). Every text
 * that reaches a reply is cleaned of control characters, so it can never start a second reply.
 */

function clean(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\x00-\x1f\x7f]/g, ' ');
}

/**
 * One reply, possibly multi-line (`250-a`, `250 b`). `enhanced` (like `2.1.0`) goes before the
 * text of every line; the greeting and EHLO lines go without one (RFC 2034 section 3).
 */
export function reply(code: number, text: string | readonly string[], enhanced?: string): string {
  const lines = typeof text === 'string' ? [text] : text.length > 0 ? text : [''];
  const prefix = enhanced ? `${enhanced} ` : '';
  return lines
    .map((line, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${prefix}${clean(line)}`.trimEnd() + '\r\n')
    .join('');
}

/** the SASL challenge line of RFC 4954: `334 base64` (an empty challenge is `334 `) */
export function saslChallenge(base64: string): string {
  return `334 ${base64}\r\n`;
}
