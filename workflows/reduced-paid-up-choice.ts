import { setHandler } from '@temporalio/workflow';
import { reducedPaidUpChoiceError } from '../domain/reinstatement';
import { refuse } from './refuse';
import { reducedPaidUpUpdate } from './reinstatement-messages';

type Choice = 'accepted' | 'declined';

/**
 * The reducedPaidUp update of a cycle, in grace or in its window: the activity behind `record` computes
 * the offer and records the choice (refusing when the cash value leaves nothing); the stage asks
 * `choosing()` before its next step and closes once `accepted()`.
 */
export function takeReducedPaidUpChoices(stage: {
  /** The stage's own refusal (window over, outside grace, debit in flight…), or undefined. */
  check: () => string | undefined;
  /** `by`: the person who recorded the policyholder's choice, for the audit row. */
  record: (choice: Choice, by: string | undefined) => Promise<{ choice: Choice; netSinglePremiumFen: number }>;
  /** Wakes the stage's loop. */
  changed: () => void;
}): { choosing: () => boolean; accepted: () => boolean } {
  let choosing = false;
  let accepted = false;
  setHandler(
    reducedPaidUpUpdate,
    async ({ choice, by }) => {
      choosing = true;
      try {
        const chosen = await stage.record(choice, by);
        if (chosen.choice === 'accepted') accepted = true;
        stage.changed();
        return { choice: chosen.choice, netSinglePremiumFen: chosen.netSinglePremiumFen };
      } finally {
        choosing = false;
      }
    },
    {
      validator: ({ choice }: { choice: string }) => {
        refuse(reducedPaidUpChoiceError(choice, { choosing, accepted }));
        refuse(stage.check());
      },
    },
  );
  return { choosing: () => choosing, accepted: () => accepted };
}
