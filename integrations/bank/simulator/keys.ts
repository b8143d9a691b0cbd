/**
 * The simulated bank's keys. They are public (here, in the repository): only a demo
 * (RENEWALS_ENV=demo: the demo, the local stack, the tests) may fall back on them; anything that
 * moves real money is configured with the bank's own (BANK_SIGNING_KEY, BANK_FILE_KEY).
 */
export const SIMULATOR_KEYS = {
  /** SIGNED_MSG of every gateway message, both ways (gateway/signing.ts). */
  gatewaySigning: 'renewals-simulator-gateway-signing-key',
  /** The MAC the file desk sends with every pain.002 and camt.054 (iso20022/file-mac.ts). */
  fileMac: 'renewals-simulator-file-mac-key',
} as const;
