/** Reports from PostgreSQL (never from workflow state): daily, monthly, reinstatement rate and the lapsed list, with the shape writers render. */
export { dailyReport, EXCEPTION_LIST_LIMIT, type DailyReport, type ExceptionKind } from './daily';
export { describeSummary, monthlyReport, type CutoffRates, type MonthlyReport, type MonthlySummary } from './monthly';
export { DIMENSIONS, type DebitFigures, type Dimension, type Figures, type GroupFigures } from './monthly-figures';
export {
  DEFAULT_LAPSED_LIMIT,
  lapsedPoliciesReport,
  MAX_LAPSED_LIMIT,
  UnknownCodeError,
  type LapsedPoliciesOptions,
  type LapsedPoliciesReport,
  type LapsedPolicy,
  type LatestApplicationStatus,
} from './lapsed-policies';
export {
  MAX_COHORT_MONTHS,
  reinstatementReport,
  type ReinstatementDimension,
  type ReinstatementFigures,
  type ReinstatementGroup,
  type ReinstatementReport,
  type Tally,
} from './reinstatement';
export type { Cell, CellKind, ReportColumn, ReportSection, TabularReport } from './report';
