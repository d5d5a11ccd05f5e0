/**
 * Temporary lockout after too many failed logins, counted in the shared session cache so that
 * several gateway instances see one counter. A failedLoginLimit of 0 switches it off entirely.
 */
import type { LockoutState, SessionCache } from '../ports.js';
import type { EffectiveAccountSettings } from '../accounts/effective-settings.js';

export function lockoutKey(address: string): string {
  return `login:${address}`;
}

function lockoutEnabled(settings: EffectiveAccountSettings): boolean {
  return settings.failedLoginLimit > 0 && settings.failedLoginPeriod > 0;
}

export async function isLockedOut(cache: SessionCache, address: string, settings: EffectiveAccountSettings): Promise<boolean> {
  return lockoutEnabled(settings) && cache.isLocked(lockoutKey(address));
}

/** Count one wrong password; null when lockout is off for the account. */
export async function recordLoginFailure(
  cache: SessionCache,
  address: string,
  settings: EffectiveAccountSettings,
): Promise<LockoutState | null> {
  if (!lockoutEnabled(settings)) return null;
  return cache.recordFailure(lockoutKey(address), settings.failedLoginLimit, settings.failedLoginPeriod);
}

export async function clearLoginFailures(cache: SessionCache, address: string, settings: EffectiveAccountSettings): Promise<void> {
  if (lockoutEnabled(settings)) await cache.clearFailures(lockoutKey(address));
}
