import { SettingsError, type Settings } from '../config/settings';
import { SIMULATOR_KEYS } from '../integrations/bank/simulator/keys';

/*
 * The keys the bank's messages are authenticated with. Without one nothing the bank sends can be
 * believed, so a part that needs it refuses to start; only a demo (RENEWALS_ENV=demo) falls back on
 * the simulated bank's public keys.
 */

/** SIGNED_MSG of the collection gateway: BANK_SIGNING_KEY. */
export function gatewaySigningKey(settings: Pick<Settings, 'environment' | 'bank'>): string {
  const configured = settings.bank.mode === 'gateway' ? settings.bank.signingKey : undefined;
  return configured ?? demoKey(settings, SIMULATOR_KEYS.gatewaySigning, 'BANK_SIGNING_KEY', "the gateway's answers and callbacks cannot be verified");
}

/** The MAC the bank sends with each ISO 20022 file: BANK_FILE_KEY. */
export function bankFileKey(settings: Pick<Settings, 'environment' | 'bankFileKey'>): string {
  return settings.bankFileKey ?? demoKey(settings, SIMULATOR_KEYS.fileMac, 'BANK_FILE_KEY', "the bank's files cannot be authenticated");
}

function demoKey(settings: Pick<Settings, 'environment'>, simulatorKey: string, variable: string, why: string): string {
  if (settings.environment === 'demo') return simulatorKey;
  throw new SettingsError(`${variable} is not set: ${why} (only RENEWALS_ENV=demo falls back on the simulated bank's key)`);
}
