/**
 * SASL MSN: Microsoft's name for the same NTLM exchange (the "Sicily" SPA of Outlook Express and
 * MSN mail). The client says AUTH MSN and then sends exactly the NTLM messages, so this is the
 * NTLM mechanism under another name and Login Method.
 */
import type { Mechanism } from './mechanism.js';
import { createNtlmMechanism, type NtlmOptions } from './ntlm.js';

export function createMsnMechanism(options: Omit<NtlmOptions, 'name' | 'loginMethod'> = {}): Mechanism {
  return createNtlmMechanism({ ...options, name: 'MSN', loginMethod: 'MSN' });
}

export const msnMechanism: Mechanism = createMsnMechanism();
