/** The three import files and their columns, exactly as docs/business-rules.md#import-files names them. */
export type ImportKind = 'policies' | 'agents' | 'products';

export const IMPORT_KINDS: readonly ImportKind[] = ['policies', 'agents', 'products'];

export const POLICY_COLUMNS = [
  'policy_no',
  'product_code',
  'channel',
  'branch_code',
  'agent_code',
  'holder_name',
  'holder_id_type',
  'holder_id_no',
  'holder_birth_date',
  'holder_mobile',
  'holder_email',
  'holder_wechat_openid',
  'preferred_channel',
  'issue_date',
  'payment_frequency',
  'premium',
  'next_due_date',
  'installment_no',
  'bank_code',
  'account_no',
  'account_name',
  'apl_elected',
  'cash_value',
  'status',
] as const;

export const AGENT_COLUMNS = ['agent_code', 'name', 'mobile', 'team_code', 'branch_code', 'status', 'leader_code'] as const;

export const PRODUCT_COLUMNS = ['product_code', 'name', 'grace_days', 'reinstatement_years', 'plan_code'] as const;

/**
 * Columns a file may leave out altogether (docs/business-rules.md#import-files): policies.csv's
 * `segment` (computed by the rule when absent or empty), `plan_code` (the product's plan) and
 * `holder_postal_address` (where letters go; none on file when absent or empty).
 */
export const POLICY_OPTIONAL_COLUMNS = ['segment', 'plan_code', 'holder_postal_address'] as const;

export type PolicyColumn = (typeof POLICY_COLUMNS)[number];
export type AgentColumn = (typeof AGENT_COLUMNS)[number];
export type ProductColumn = (typeof PRODUCT_COLUMNS)[number];

export const COLUMNS_OF: Readonly<Record<ImportKind, readonly string[]>> = {
  policies: POLICY_COLUMNS,
  agents: AGENT_COLUMNS,
  products: PRODUCT_COLUMNS,
};

export const OPTIONAL_COLUMNS_OF: Readonly<Record<ImportKind, readonly string[]>> = {
  policies: POLICY_OPTIONAL_COLUMNS,
  agents: [],
  products: [],
};

/** The column that identifies a row of each file (duplicates within a file are reported on it). */
export const KEY_COLUMN_OF: Readonly<Record<ImportKind, string>> = {
  policies: 'policy_no',
  agents: 'agent_code',
  products: 'product_code',
};
