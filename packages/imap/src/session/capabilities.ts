/**
 * Capability lists. Before login they follow the Domain Login Methods through advertise(); they only
 * advertise and never restrict (no LOGINDISABLED: LOGIN always works, the policy decides).
 */
import type { Advertisement } from '@portcullis/auth-core';
import { ACL_CAPABILITIES } from './acl-commands.js';

const BASE = ['IMAP4rev1', 'IMAP4rev2', 'LITERAL+', 'ID', 'ENABLE'];

/** SASL names are atoms; anything else from a misconfiguration is dropped rather than sent. */
const SASL_NAME = /^[A-Z0-9_-]{1,20}$/i;

export function preLoginCapabilities(ad: Advertisement, canStartTls: boolean): string {
  const caps = [...BASE, 'SASL-IR'];
  if (canStartTls) caps.push('STARTTLS');
  for (const mech of ad.saslMechanisms) {
    if (SASL_NAME.test(mech)) caps.push(`AUTH=${mech.toUpperCase()}`);
  }
  return caps.join(' ');
}

/** What the built-in session implements after login. */
export function postLoginCapabilities(): string {
  return [...BASE, 'NAMESPACE', 'UNSELECT', 'CHILDREN', ...ACL_CAPABILITIES].join(' ');
}

/** ENABLE (RFC 5161): the extensions the built-in session can switch on. */
export const ENABLEABLE = new Set(['IMAP4REV2']);
