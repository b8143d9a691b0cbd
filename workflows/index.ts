// The one workflowsPath: every workflow type the workers register, exported by name.
export { renewalCycle } from './renewal-cycle';
export { monthlyRun, scheduledMonthlyRun } from './monthly-run';
export { reinstatement } from './reinstatement';
export { orphanNotice } from './orphan-notice';
export { nightlyContactQuality } from './contact-quality';
