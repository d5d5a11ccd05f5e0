import type { DomainSettings } from '@portcullis/auth-core';
import { DirectoryError } from './errors.js';
import { canonicalDomain } from './names.js';

/**
 * A domain's aliases as a store keeps them: canonical, without duplicates, never the domain's own
 * name. Undefined when the settings have no alias list. The same rules as the file store's.
 */
export function canonicalAliases(settings: DomainSettings): string[] | undefined {
  if (settings.aliases === undefined) return undefined;
  const aliases = settings.aliases.map((a) => {
    const c = canonicalDomain(a);
    if (c === null) throw new DirectoryError('invalid-name', `invalid alias '${a}' for domain ${settings.name}`);
    if (c === settings.name) throw new DirectoryError('conflict', `domain ${settings.name} cannot be its own alias`);
    return c;
  });
  return [...new Set(aliases)];
}
