/**
 * The keys the audit chain's partition heads are signed with (docs/architecture.md#the-audit-chain):
 * the current key (RENEWALS_AUDIT_KEY) signs every head an append moves; previous keys
 * (RENEWALS_AUDIT_KEYS_PREVIOUS) only verify heads signed before a rotation, until `renewals audit
 * sign-heads` has signed every head under the current key. Outside the demo a key is required and
 * the development key is refused, as for the data key (config/data-keys.ts).
 */
import { SettingsError } from './settings-error';

/** The development audit key: public (it is in the source), for the demo, the local stack and the tests only. */
export const DEVELOPMENT_AUDIT_KEY = '5c1e0a7d3b9f4e26a8d0c4f1b7e3925d6a0f8c2e4b1d7a9356e0c8f2a4b6d1e3';

/** How RENEWALS_AUDIT_KEYS_PREVIOUS names the development key, to move heads away from it. */
export const DEVELOPMENT_AUDIT_KEY_NAME = 'development';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

export interface AuditKeys {
  /** Signs every head written. */
  current: string;
  /** Verify only. */
  previous: string[];
  /** The current key is the public development key (demo only). */
  development: boolean;
}

/**
 * The audit keys from the environment: RENEWALS_ENV, RENEWALS_AUDIT_KEY, RENEWALS_AUDIT_KEYS_PREVIOUS.
 * Read on their own (not through readSettings) because every database connection needs the current
 * key (db/connection.ts), including those of scripts that need no other setting.
 */
export function readAuditKeys(env: NodeJS.ProcessEnv = process.env): AuditKeys {
  const given = env.RENEWALS_AUDIT_KEY === '' ? undefined : env.RENEWALS_AUDIT_KEY?.toLowerCase();
  if (given !== undefined && !HEX_KEY.test(given)) throw new SettingsError('RENEWALS_AUDIT_KEY must be 64 hex characters (a 256-bit key)');
  if (env.RENEWALS_ENV !== 'demo') {
    if (!given) {
      throw new SettingsError('RENEWALS_AUDIT_KEY is not set: outside RENEWALS_ENV=demo the audit chain\'s heads need a 64-hex-character key of your own (see .env.example)');
    }
    if (given === DEVELOPMENT_AUDIT_KEY) throw new SettingsError('RENEWALS_AUDIT_KEY is the public development key: outside RENEWALS_ENV=demo set a key of your own');
  }
  const current = given ?? DEVELOPMENT_AUDIT_KEY;
  const previous = (env.RENEWALS_AUDIT_KEYS_PREVIOUS ?? '')
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map((entry, i) => {
      if (entry === DEVELOPMENT_AUDIT_KEY_NAME) return DEVELOPMENT_AUDIT_KEY;
      if (!HEX_KEY.test(entry)) throw new SettingsError(`RENEWALS_AUDIT_KEYS_PREVIOUS: entry ${i + 1} is not 64 hex characters (or "${DEVELOPMENT_AUDIT_KEY_NAME}")`);
      return entry.toLowerCase();
    })
    .filter((key) => key !== current);
  return { current, previous, development: current === DEVELOPMENT_AUDIT_KEY };
}
