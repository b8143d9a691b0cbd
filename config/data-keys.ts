/**
 * The data keys personal data is encrypted under (docs/architecture.md#keys): the current key
 * (RENEWALS_DATA_KEY) encrypts and indexes everything written; previous keys
 * (RENEWALS_DATA_KEYS_PREVIOUS) only decrypt, while a rotation moves their rows to the current key.
 * Outside the demo a key is required and the development key is refused as the current one.
 */
import type { Settings } from './settings';
import { SettingsError } from './settings-error';

/**
 * The development key: public (it is in the source), so only the demo, the local stack and the tests
 * may use it. Its value is the one every earlier demo database was written with.
 */
export const DEVELOPMENT_DATA_KEY = '0191004a0f67cdb69bee25dabb170c8aace7910652cbd2e0c43c04d61395d6f8';

/** How RENEWALS_DATA_KEYS_PREVIOUS names the development key, to rotate data away from it. */
export const DEVELOPMENT_KEY_NAME = 'development';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** A key as configured: 64 hex characters (a 256-bit master key). */
export function isDataKey(value: string): boolean {
  return HEX_KEY.test(value);
}

/** RENEWALS_DATA_KEYS_PREVIOUS: keys separated by commas or spaces; each named by position if malformed, never shown. */
export function parsePreviousKeys(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map((entry, i) => {
      if (entry === DEVELOPMENT_KEY_NAME) return DEVELOPMENT_DATA_KEY;
      if (!isDataKey(entry)) throw new SettingsError(`RENEWALS_DATA_KEYS_PREVIOUS: entry ${i + 1} is not 64 hex characters (or "${DEVELOPMENT_KEY_NAME}")`);
      return entry.toLowerCase();
    });
}

export interface ConfiguredKeys {
  /** Encrypts and indexes everything written. */
  current: string;
  /** Decrypt only. */
  previous: string[];
  /** The current key is the public development key (demo only). */
  development: boolean;
}

/**
 * The keys a process works with. Outside RENEWALS_ENV=demo a missing RENEWALS_DATA_KEY is refused
 * (nothing would be protected), and so is the development key as the current key.
 */
export function configuredKeys(settings: Settings): ConfiguredKeys {
  const given = settings.dataKey?.toLowerCase();
  if (settings.environment !== 'demo') {
    if (!given) throw new SettingsError('RENEWALS_DATA_KEY is not set: outside RENEWALS_ENV=demo personal data needs a 64-hex-character key of your own (see .env.example)');
    if (given === DEVELOPMENT_DATA_KEY) throw new SettingsError('RENEWALS_DATA_KEY is the public development key: outside RENEWALS_ENV=demo set a key of your own');
  }
  const current = given ?? DEVELOPMENT_DATA_KEY;
  return { current, previous: settings.previousDataKeys.filter((key) => key !== current), development: current === DEVELOPMENT_DATA_KEY };
}

/** The start-up check every command and the worker make before anything else. */
export function requireDataKey(settings: Settings): void {
  configuredKeys(settings);
}
