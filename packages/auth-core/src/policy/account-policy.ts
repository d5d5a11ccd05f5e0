import type { ConnectionInfo } from '../connection.js';
import type { ServiceName } from '../settings.js';
import type { EffectiveAccountSettings } from '../accounts/effective-settings.js';

/** secureMethodRequired: a password sent in the clear must travel over TLS. */
export function secureMethodViolated(
  settings: EffectiveAccountSettings,
  cleartextMechanism: boolean,
  conn: Pick<ConnectionInfo, 'secure'>,
): boolean {
  return settings.secureMethodRequired && cleartextMechanism && !conn.secure;
}

/** enabledServices: absent means every service. */
export function serviceEnabled(settings: EffectiveAccountSettings, service: ServiceName): boolean {
  return settings.enabledServices === undefined || settings.enabledServices.includes(service);
}
