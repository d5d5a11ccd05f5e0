/**
 * Typed values from the CLI's `KEY=VALUE` text. Each parser throws ValueError with what it
 * expected; the caller adds the key's name (and hides the text of secret values).
 */
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { isDomainName } from '@portcullis/directory';
import { isCidr } from '../config/schema.js';

export class ValueError extends Error {}

export type ValueParser = (raw: string) => unknown;

export const bool: ValueParser = (raw) => {
  const v = raw.trim().toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  throw new ValueError('expected yes, no, true or false');
};

export function int(min: number, max = Number.MAX_SAFE_INTEGER): ValueParser {
  const schema = z.number().int().min(min).max(max);
  return (raw) => {
    const t = raw.trim();
    const n = /^-?\d+$/.test(t) ? Number(t) : NaN;
    if (!schema.safeParse(n).success) {
      throw new ValueError(max === Number.MAX_SAFE_INTEGER ? `expected an integer >= ${min}` : `expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

export function oneOf<const T extends string>(values: readonly T[], options: { caseInsensitive?: boolean } = {}): ValueParser {
  return (raw) => {
    const t = raw.trim();
    const hit = values.find((v) => (options.caseInsensitive ? v.toLowerCase() === t.toLowerCase() : v === t));
    if (hit === undefined) throw new ValueError(`expected one of ${values.join(', ')}`);
    return hit;
  };
}

export const text: ValueParser = (raw) => {
  if (raw.length === 0) throw new ValueError('expected a value');
  if (raw.includes('\0')) throw new ValueError('NUL is not allowed');
  return raw;
};

export const domainName: ValueParser = (raw) => {
  const v = raw.trim().toLowerCase();
  if (!isDomainName(v)) throw new ValueError(`'${raw}' is not a DNS domain name`);
  return v;
};

export const cidr: ValueParser = (raw) => {
  const v = raw.trim();
  if (!isCidr(v)) throw new ValueError(`'${raw}' is not an IP address or CIDR`);
  return v;
};

export const ldapUri: ValueParser = (raw) => {
  const v = raw.trim();
  if (!/^ldaps?:\/\/\S+$/i.test(v)) throw new ValueError('expected an ldap:// or ldaps:// URI');
  return v;
};

export const pemCertificates: ValueParser = (raw) => {
  const blocks = raw.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new ValueError('expected PEM certificates (use @file.pem)');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw new ValueError('a PEM certificate in it cannot be parsed');
    }
  }
  return `${blocks.join('\n')}\n`;
};

/** A password as typed: stored encoded later, per passwordEncryption. */
export const password: ValueParser = (raw) => {
  if (raw.length === 0) throw new ValueError('expected a password');
  if (/[\0\r\n]/.test(raw)) throw new ValueError('a password cannot contain NUL or line breaks');
  return raw;
};

/** Comma-separated; duplicates dropped, order kept. */
export function list(item: ValueParser): ValueParser {
  return (raw) => {
    const parts = raw.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
    if (parts.length === 0) throw new ValueError('expected a comma-separated list');
    return [...new Set(parts.map(item).map((v) => JSON.stringify(v)))].map((v) => JSON.parse(v) as unknown);
  };
}

const MAP_KEY = /^[a-z0-9][a-z0-9._-]*$/;

/** `key:value` pairs, comma-separated; keys lower-case like the login names that use them. */
export function map(value: ValueParser): ValueParser {
  return (raw) => {
    const out: Record<string, unknown> = {};
    const pairs = raw.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
    if (pairs.length === 0) throw new ValueError('expected key:value pairs');
    for (const pair of pairs) {
      const colon = pair.indexOf(':');
      if (colon <= 0) throw new ValueError('expected key:value pairs, comma-separated');
      const key = pair.slice(0, colon).trim().toLowerCase();
      if (!MAP_KEY.test(key)) throw new ValueError(`'${key}' is not a valid name (a-z, 0-9, '.', '_', '-')`);
      if (key in out) throw new ValueError(`'${key}' is given twice`);
      out[key] = value(pair.slice(colon + 1));
    }
    return out;
  };
}
