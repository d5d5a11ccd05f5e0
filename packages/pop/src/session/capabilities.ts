/** The CAPA list (RFC 2449), driven by the Domain Login Methods through advertise(). */
import type { Advertisement } from '@portcullis/auth-core';

export interface CapabilityFacts {
  /** null after login: no login capabilities are listed then */
  advertisement: Advertisement | null;
  canStartTls: boolean;
}

export const IMPLEMENTATION = 'Portcullis';

export function capabilityLines(facts: CapabilityFacts): string[] {
  const lines: string[] = [];
  const adv = facts.advertisement;
  if (adv) {
    if (adv.clearText) lines.push('USER');
    if (adv.saslMechanisms.length > 0) lines.push(`SASL ${adv.saslMechanisms.join(' ')}`);
    if (facts.canStartTls) lines.push('STLS');
  }
  lines.push('RESP-CODES');
  if (adv) lines.push('AUTH-RESP-CODE');
  lines.push('PIPELINING', 'UIDL', `IMPLEMENTATION ${IMPLEMENTATION}`);
  return lines;
}
