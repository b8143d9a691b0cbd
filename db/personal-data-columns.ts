/**
 * Every column that holds personal data encrypted (`*_enc`), and the blind index (`*_hash`) kept
 * beside it for equality lookups: what a key rotation re-encrypts and re-indexes, and what
 * `renewals keys status` counts. A new encrypted column is added here too (test/security checks the
 * schema against this list).
 */
export interface EncryptedTable {
  table: string;
  /** The primary key: batches go in its order, and an unreadable row is named by it (never by its data). */
  key: string;
  keyType: 'bigint' | 'text';
  encrypted: readonly string[];
  /** Plain columns the index is computed from as well. */
  plain?: readonly string[];
  index?: {
    column: string;
    /** What is hashed, from the row's clear values (null: no index, as for an agent without a mobile). */
    input: (clear: Readonly<Record<string, string | null>>, plain: Readonly<Record<string, unknown>>) => string | null;
  };
}

/** What a mandate's account index hashes: the bank code and the account number, so equal numbers at two banks differ. */
export function accountIndexInput(bankCode: string, accountNo: string): string {
  return `${bankCode}/${accountNo}`;
}

export const ENCRYPTED_TABLES: readonly EncryptedTable[] = [
  { table: 'agents', key: 'code', keyType: 'text', encrypted: ['name_enc', 'mobile_enc'], index: { column: 'mobile_hash', input: (clear) => clear.mobile_enc ?? null } },
  { table: 'customers', key: 'id', keyType: 'bigint', encrypted: ['name_enc', 'id_no_enc'], index: { column: 'id_no_hash', input: (clear) => clear.id_no_enc ?? null } },
  { table: 'contact_points', key: 'id', keyType: 'bigint', encrypted: ['value_enc'], index: { column: 'value_hash', input: (clear) => clear.value_enc ?? null } },
  {
    table: 'mandates',
    key: 'id',
    keyType: 'bigint',
    encrypted: ['account_enc', 'account_name_enc'],
    plain: ['bank_code'],
    index: { column: 'account_hash', input: (clear, plain) => (clear.account_enc == null ? null : accountIndexInput(String(plain.bank_code), clear.account_enc)) },
  },
];

/**
 * `*_hash` columns that are not blind indexes of personal data but one-way hashes of the people's own
 * secrets (argon2id passwords, SHA-256 of tokens, console session ids and OIDC flow cookies;
 * docs/architecture.md#people), and of the console's sign-in limit keys (a login or client address,
 * kept only for the limit's window): no data key is involved, so a key rotation leaves them as they are.
 */
export const CREDENTIAL_HASH_COLUMNS: readonly string[] = [
  'users.password_hash',
  'api_tokens.token_hash',
  'setup_tokens.token_hash',
  'console_sessions.session_hash',
  'console_oidc_flows.flow_hash',
  'console_sign_in_failures.key_hash',
];
