/** The mechanisms the engine knows. Registering a new one is one line in DEFAULT_MECHANISMS. */
import { cramMd5Mechanism } from './cram-md5.js';
import { digestMd5Mechanism } from './digest-md5.js';
import { externalMechanism } from './external.js';
import { loginMechanism } from './login.js';
import type { Mechanism, MechanismRegistry } from './mechanism.js';
import { msnMechanism } from './msn.js';
import { ntlmMechanism } from './ntlm.js';
import { plainMechanism } from './plain.js';
import { sessionIdMechanism } from './sessionid.js';
import {
  scramSha1Mechanism,
  scramSha1PlusMechanism,
  scramSha256Mechanism,
  scramSha256PlusMechanism,
} from './scram.js';

/** Advertising preference order: strongest first. */
export const DEFAULT_MECHANISMS: readonly Mechanism[] = [
  scramSha256PlusMechanism,
  scramSha1PlusMechanism,
  scramSha256Mechanism,
  scramSha1Mechanism,
  digestMd5Mechanism,
  cramMd5Mechanism,
  plainMechanism,
  loginMechanism,
  externalMechanism,
  ntlmMechanism,
  msnMechanism,
  sessionIdMechanism,
];

/** A registry over `mechanisms` (in that order); names are looked up case-insensitively. */
export function createMechanismRegistry(mechanisms: readonly Mechanism[]): MechanismRegistry {
  const byName = new Map<string, Mechanism>();
  for (const m of mechanisms) {
    const key = m.name.toUpperCase();
    if (byName.has(key)) throw new Error(`SASL mechanism ${key} registered twice`);
    byName.set(key, m);
  }
  const list = Object.freeze([...mechanisms]);
  return {
    get: (name) => byName.get(name.toUpperCase()),
    all: () => list,
  };
}

export function createDefaultMechanisms(): MechanismRegistry {
  return createMechanismRegistry(DEFAULT_MECHANISMS);
}
