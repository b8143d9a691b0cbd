/** What the person who worked a task reports: codes, never free text (free text could carry personal data). */

/** Outcomes of a call or account-fix task (the call scripts offer exactly these). */
export const TASK_OUTCOMES = ['reached', 'no_answer', 'wrong_number', 'promised', 'refused', 'account_fixed', 'done'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** The outcome of a task whose work is filed elsewhere (a reinstatement declaration, in the underwriting file). */
export const DONE_OUTCOME = 'done' satisfies TaskOutcome;

/** The grace-end escalation: operations decide whether to try the debit again or let the policy lapse. */
export const ESCALATION_STEP = 'grace_end_escalation';
export const ESCALATION_OUTCOMES = ['retry_debit', 'lapse'] as const;
export type EscalationOutcome = (typeof ESCALATION_OUTCOMES)[number];

/** The outcomes a task of this step accepts. */
export function outcomesOf(step: string): readonly string[] {
  return step === ESCALATION_STEP ? ESCALATION_OUTCOMES : TASK_OUTCOMES;
}
