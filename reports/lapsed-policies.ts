import type { Knex } from 'knex';
import { isCivilDate, type CivilDate } from '../domain/civil-date';
import { daysLeftToApply, MAX_REINSTATEMENT_YEARS, MIN_REINSTATEMENT_YEARS, reinstatementWindow, type ReinstatementWindow } from '../domain/reinstatement-window';
import { endOfDay, todayInShanghai } from './monthly-figures';
import { outcomeReachedSql } from './reinstatement';
import { columns, whole, type TabularReport } from './report';
import type { Scope } from '../domain/roles';
import { policyScopeSql, scopeParameter } from './scope-sql';

/**
 * The lapsed policies still able to reinstate, as of the end of a day (Asia/Shanghai), for working
 * through: suspensions without an outcome reached by then whose window had not closed (the window
 * closes at 00:00 of window_closes_on, so the day before is the last day to apply). Ranked high
 * value first, then annualised premium (largest first), then days left (fewest first). Policy
 * numbers and codes only: no names, mobiles or ID numbers.
 */
export interface LapsedPolicy {
  policyNo: string;
  productCode: string;
  branchCode: string;
  /** The servicing agent; null when there is none or the agent has departed (an orphan policy). */
  agentCode: string | null;
  annualPremiumFen: number;
  highValue: boolean;
  suspensionDate: CivilDate;
  lastDayToApply: CivilDate;
  /** daysLeftToApply: 1 on the last day to apply. */
  daysLeft: number;
  /** The latest application received by the as-of day, in the state it was in then; null if none. */
  latestApplication: LatestApplicationStatus | null;
}

export type LatestApplicationStatus = 'under_review' | 'evidence_requested' | 'approved' | 'declined' | 'withdrawn' | 'approval_expired' | 'reinstated';

export interface LapsedPoliciesReport extends TabularReport {
  kind: 'lapsed';
  asOf: CivilDate;
  /** Open suspensions matching the filters, before the limit. */
  matching: number;
  policies: LapsedPolicy[];
}

export interface LapsedPoliciesOptions {
  asOf?: CivilDate;
  branch?: string;
  highValueOnly?: boolean;
  limit?: number;
  /** The person's scope (docs/architecture.md#people): only policies in it. */
  scopes?: readonly Scope[];
}

export const DEFAULT_LAPSED_LIMIT = 1000;
export const MAX_LAPSED_LIMIT = 100_000;

/** A filter naming a code the database does not hold: the caller's argument is wrong. */
export class UnknownCodeError extends RangeError {
  constructor(
    readonly field: 'branch',
    readonly code: string,
  ) {
    super(`no such ${field}: ${JSON.stringify(code)}`);
    this.name = 'UnknownCodeError';
  }
}

export async function lapsedPoliciesReport(db: Knex, options: LapsedPoliciesOptions = {}): Promise<LapsedPoliciesReport> {
  const asOf = options.asOf ?? todayInShanghai();
  if (!isCivilDate(asOf)) throw new RangeError(`as-of must be a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  const limit = options.limit ?? DEFAULT_LAPSED_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LAPSED_LIMIT) throw new RangeError(`limit must be a whole number from 1 to ${MAX_LAPSED_LIMIT}, got ${limit}`);
  const branch = options.branch ?? null;
  const highValueOnly = options.highValueOnly ?? false;
  const inScope = policyScopeSql('p', options.scopes);

  const rows = await db.transaction(
    async (trx) => {
      if (branch !== null && !(await trx('branches').where({ code: branch }).first('code'))) throw new UnknownCodeError('branch', branch);
      const { rows } = await trx.raw<{ rows: Record<string, unknown>[] }>(
        `
        WITH open AS (
          SELECT s.id, s.policy_no, p.product_code, p.branch_code,
                 CASE WHEN g.status = 'active' THEN p.agent_code END AS agent_code,
                 s.annual_premium_fen, s.high_value, s.suspension_date, s.window_closes_on
          FROM suspensions s
          JOIN policies p ON p.policy_no = s.policy_no
          LEFT JOIN agents g ON g.code = p.agent_code
          WHERE s.suspension_date <= CAST(:asOf AS date)
            AND s.window_closes_on > CAST(:asOf AS date)
            AND NOT ${outcomeReachedSql('s')}
            AND (CAST(:branch AS text) IS NULL OR p.branch_code = :branch)
            AND (NOT CAST(:highValueOnly AS boolean) OR s.high_value)
            AND ${inScope.sql}
        )
        SELECT o.*, count(*) OVER () AS matching, latest.status AS latest_application
        FROM open o
        LEFT JOIN LATERAL (
          -- The state the application was in at the end of the as-of day: closings and approvals are
          -- dated; a request for evidence is not, so an application open then shows its current review state.
          SELECT CASE
                   WHEN a.status IN ('declined', 'withdrawn', 'approval_expired', 'reinstated')
                        AND coalesce(a.closed_at, a.updated_at) < CAST(:cut AS timestamptz) THEN a.status::text
                   WHEN a.approved_at < CAST(:cut AS timestamptz) THEN 'approved'
                   WHEN a.status = 'evidence_requested' THEN 'evidence_requested'
                   ELSE 'under_review' END AS status
          FROM reinstatement_applications a
          WHERE a.suspension_id = o.id AND a.received_at < CAST(:cut AS timestamptz)
          ORDER BY a.received_at DESC, a.id DESC
          LIMIT 1
        ) latest ON true
        ORDER BY o.high_value DESC, o.annual_premium_fen DESC, o.window_closes_on, o.policy_no
        LIMIT :limit
        `,
        { asOf, cut: endOfDay(asOf), branch, highValueOnly, limit, ...inScope.bindings },
      );
      return rows;
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );

  const policies = rows.map((r): LapsedPolicy => {
    const window = storedWindow(r.policy_no as string, r.suspension_date as CivilDate, r.window_closes_on as CivilDate);
    return {
      policyNo: r.policy_no as string,
      productCode: r.product_code as string,
      branchCode: r.branch_code as string,
      agentCode: (r.agent_code as string | null) ?? null,
      annualPremiumFen: whole(r.annual_premium_fen),
      highValue: r.high_value === true,
      suspensionDate: window.suspensionDate,
      lastDayToApply: window.lastDayToApply,
      daysLeft: daysLeftToApply(window, asOf),
      latestApplication: (r.latest_application as LatestApplicationStatus | null) ?? null,
    };
  });
  const matching = rows.length === 0 ? 0 : whole(rows[0]!.matching);
  const filters = [branch === null ? 'all branches' : `branch ${branch}`, highValueOnly ? 'high value only' : 'all values'].join(', ');
  return {
    kind: 'lapsed',
    title: `复效期内失效保单 Lapsed policies in their reinstatement window, ${asOf}`,
    parameters: {
      asOf,
      branch: branch ?? 'all',
      highValueOnly: highValueOnly ? 'yes' : 'no',
      limit: String(limit),
      ...scopeParameter(options.scopes),
      matching: String(matching),
      generatedAt: new Date().toISOString(),
    },
    asOf,
    matching,
    policies,
    sections: [
      {
        key: 'lapsed',
        title: '失效保单（复效期内）Lapsed policies, window open',
        note:
          `Suspended, no outcome by the end of ${asOf}, window not closed (${filters}). High value first, then annualised premium, then days left. ` +
          `Days left counts the as-of day: 1 on the last day to apply. Showing ${policies.length} of ${matching}.`,
        columns: columns(
          ['policy_no', '保单号 Policy', 'text'],
          ['product', '产品 Product', 'text'],
          ['branch', '机构 Branch', 'text'],
          ['agent', '业务员 Agent', 'text'],
          ['annual_premium', '年化保费 Annualised premium (元)', 'money'],
          ['high_value', '高价值 High value', 'text'],
          ['suspension_date', '中止日 Suspended', 'date'],
          ['last_day_to_apply', '申请截止 Last day to apply', 'date'],
          ['days_left', '剩余天数 Days left', 'count'],
          ['latest_application', '最近申请 Latest application', 'text'],
        ),
        rows: policies.map((p) => ({
          policy_no: p.policyNo,
          product: p.productCode,
          branch: p.branchCode,
          agent: p.agentCode ?? 'orphan',
          annual_premium: p.annualPremiumFen,
          high_value: p.highValue ? 'yes' : 'no',
          suspension_date: p.suspensionDate,
          last_day_to_apply: p.lastDayToApply,
          days_left: p.daysLeft,
          latest_application: p.latestApplication ?? 'none',
        })),
      },
    ],
  };
}

/**
 * The window as stored at suspension, through reinstatementWindow so the last day and days left
 * follow the one rule: the whole years from the suspension date to the stored closing date. A row
 * whose closing date is no such number of years is refused rather than reported with wrong days.
 */
function storedWindow(policyNo: string, suspensionDate: CivilDate, closesOn: CivilDate): ReinstatementWindow {
  const years = Number(closesOn.slice(0, 4)) - Number(suspensionDate.slice(0, 4));
  const window = years >= MIN_REINSTATEMENT_YEARS && years <= MAX_REINSTATEMENT_YEARS ? reinstatementWindow(suspensionDate, years) : undefined;
  if (window?.closingDate !== closesOn) {
    throw new Error(`suspension of policy ${policyNo}: window_closes_on ${closesOn} is not a whole number of years (2 to 10) after ${suspensionDate}`);
  }
  return window;
}
