import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { PersonalDataUnreadable } from '../db/pii-cipher';
import { openAuditedTask } from '../db/repositories/tasks';
import { activityOrigin, auditOf, type CycleRef, type Origin } from './origin';

/** The step of the operations task a row that cannot be decrypted opens. */
export const UNREADABLE_STEP = 'personal_data_unreadable';

/** The reason recorded on a contact that could not go out because its recipient cannot be decrypted. */
export const UNREADABLE_RULE = 'personal_data_unreadable';

/**
 * A row of personal data this worker cannot decrypt (its key is not configured, or is the wrong one):
 * an operations task, once per premium (tasks are unique per workflow, step and kind) and audited,
 * naming the row by id and the key id, never the data. Retrying would not help: the key is missing.
 */
export async function reportUnreadable(db: Knex, ref: CycleRef, o: Origin, error: PersonalDataUnreadable, because: string): Promise<void> {
  await openAuditedTask(
    db,
    {
      kind: 'escalation',
      step: UNREADABLE_STEP,
      policyNo: ref.policyNo,
      dueDate: ref.dueDate,
      assigneeRole: 'operations',
      assigneeAgentCode: null,
      dueAt: new Date(o.at.getTime() + 86_400_000),
      workflowId: o.workflowId,
      runId: o.runId,
      activityId: o.activityId,
    },
    auditOf(ref, o),
    { because, row: error.row ? `${error.row.table} ${error.row.id}` : null, keyId: error.keyId },
  );
}

function isCycleRef(value: unknown): value is CycleRef {
  const ref = value as Partial<CycleRef> | null;
  return typeof ref === 'object' && ref !== null && typeof ref.policyNo === 'string' && typeof ref.dueDate === 'string';
}

/**
 * Every activity: a PersonalDataUnreadable that escapes it fails it for good (non-retryable, type
 * PersonalDataUnreadable) after opening the operations task, instead of being retried for ever.
 * Activities that can go on without the data handle it themselves and return normally.
 */
export function failUnreadableForGood<T extends Record<string, (...args: never[]) => Promise<unknown>>>(db: Knex, activities: T): T {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await activity(...args);
      } catch (error) {
        if (!(error instanceof PersonalDataUnreadable)) throw error;
        const ref: unknown = args[0];
        if (isCycleRef(ref)) await reportUnreadable(db, ref, activityOrigin(), error, name);
        throw ApplicationFailure.nonRetryable(error.message, 'PersonalDataUnreadable');
      }
    };
  }
  return wrapped as T;
}
