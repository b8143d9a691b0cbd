/** Reports from PostgreSQL (never from workflow state): daily and monthly, with the shape writers render. */
export { dailyReport, EXCEPTION_LIST_LIMIT, type DailyReport, type ExceptionKind } from './daily';
export { describeSummary, monthlyReport, type CutoffRates, type MonthlyReport, type MonthlySummary } from './monthly';
export { DIMENSIONS, type DebitFigures, type Dimension, type Figures, type GroupFigures } from './monthly-figures';
export type { Cell, CellKind, ReportColumn, ReportSection, TabularReport } from './report';
