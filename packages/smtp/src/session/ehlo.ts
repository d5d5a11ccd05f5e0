/** The EHLO keywords (RFC 5321 section 4.1.1.1), AUTH driven by the Domain Login Methods. */
import type { Advertisement } from '@portcullis/auth-core';

export interface EhloFacts {
  /** null once authenticated: AUTH is not offered again */
  advertisement: Advertisement | null;
  canStartTls: boolean;
  maxMessageSize: number;
}

export function ehloKeywords(facts: EhloFacts): string[] {
  const lines = ['PIPELINING', `SIZE ${facts.maxMessageSize}`];
  if (facts.canStartTls) lines.push('STARTTLS');
  const mechanisms = facts.advertisement?.saslMechanisms ?? [];
  if (mechanisms.length > 0) lines.push(`AUTH ${mechanisms.join(' ')}`);
  lines.push('ENHANCEDSTATUSCODES', '8BITMIME', 'SMTPUTF8');
  return lines;
}
