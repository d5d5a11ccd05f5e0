/**
 * PWD replies: `200 text` for success and `500 text` for failure, the codes of Qualcomm's
 * poppassd that Eudora and the password plug-ins of other clients look for. Any text that may come
 * from elsewhere is cleaned so that it can never end the line early.
 */

export type ReplyCode = 200 | 500;

/** Control characters (CR and LF among them) become spaces. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

export function reply(code: ReplyCode, text: string): string {
  return `${code} ${cleanText(text)}\r\n`;
}

export const ok = (text: string): string => reply(200, text);
export const err = (text: string): string => reply(500, text);
