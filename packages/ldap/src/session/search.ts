/** Scope, filter, size limit and attribute selection over a list of entries (RFC 4511 4.5). */
import {
  ResultCode,
  SearchScope,
  normalizeDn,
  parseDn,
  type Attribute,
  type LdapResult,
  type SearchRequest,
} from '../codec/index.js';
import { baseAttributeName, type Entry } from './entries.js';
import { matchFilter } from './filter-match.js';

export interface SearchOutcome {
  entries: Entry[];
  result: LdapResult;
}

function isSuffix(suffix: string[], of: string[]): boolean {
  if (suffix.length > of.length) return false;
  const offset = of.length - suffix.length;
  return suffix.every((r, i) => r === of[offset + i]);
}

function rdnKeys(entry: Entry): string[] {
  return entry.rdns.map((r) => normalizeDn([r]));
}

/**
 * Runs a search over `entries` (the whole visible tree, parents before children). The empty base
 * stands for the root above the naming contexts; its base-scope search is the root DSE, which the
 * caller answers.
 */
export function runSearch(req: SearchRequest, entries: Entry[], serverSizeLimit: number): SearchOutcome {
  const baseRdns = parseDn(req.baseObject);
  if (!baseRdns) {
    return { entries: [], result: { resultCode: ResultCode.invalidDNSyntax, matchedDN: '', diagnosticMessage: 'invalid base DN' } };
  }
  const base = baseRdns.map((r) => normalizeDn([r]));
  if (base.length > 0 && !entries.some((e) => normalizeDn(e.rdns) === normalizeDn(baseRdns))) {
    const matched = entries
      .filter((e) => isSuffix(rdnKeys(e), base))
      .sort((a, b) => b.rdns.length - a.rdns.length)[0];
    return {
      entries: [],
      result: { resultCode: ResultCode.noSuchObject, matchedDN: matched?.dn ?? '', diagnosticMessage: 'no such entry' },
    };
  }
  const inScope = entries.filter((e) => {
    const keys = rdnKeys(e);
    if (!isSuffix(base, keys)) return false;
    const depth = keys.length - base.length;
    if (req.scope === SearchScope.base) return depth === 0;
    if (req.scope === SearchScope.one) return depth === 1;
    return true;
  });
  const matching = inScope.filter((e) => matchFilter(req.filter, e) === true);
  const limit = req.sizeLimit > 0 ? Math.min(req.sizeLimit, serverSizeLimit) : serverSizeLimit;
  if (matching.length > limit) {
    return {
      entries: matching.slice(0, limit),
      result: { resultCode: ResultCode.sizeLimitExceeded, matchedDN: '', diagnosticMessage: `more than ${limit} entries match` },
    };
  }
  return { entries: matching, result: { resultCode: ResultCode.success, matchedDN: '', diagnosticMessage: '' } };
}

/**
 * The attributes a client asked for: none or `*` for all user attributes, `+` for operational
 * ones (`operational` says whether this entry's attributes are operational, as the root DSE's are),
 * `1.1` for none, or names.
 */
export function selectAttributes(entry: Entry, requested: string[], typesOnly: boolean, operational = false): Attribute[] {
  const names = requested.map((r) => r.trim().toLowerCase());
  const all = names.length === 0 || names.includes('*') || (operational && names.includes('+'));
  const wanted = new Set(names.filter((n) => n !== '*' && n !== '+' && n !== '1.1').map(baseAttributeName));
  return entry.attributes
    .filter((a) => all || wanted.has(a.type.toLowerCase()))
    .map((a) => ({ type: a.type, values: typesOnly ? [] : a.values.map((v) => Buffer.from(v, 'utf8')) }));
}
