// The one workflowsPath: every workflow type the workers register, exported by name.
export { renewalCycle } from './renewal-cycle';
export { monthlyRun, scheduledMonthlyRun } from './monthly-run';
export { reinstatement } from './reinstatement';
export { overdueTaskSweep } from './overdue-task-sweep';
export { orphanNotice } from './orphan-notice';
export { nightlyContactQuality } from './contact-quality';
export { dailyLetterBatch } from './letter-batch';
