/** The skeleton cycle's only activity (bench/skeleton/workflows.ts): one round trip to PostgreSQL. */
import type { Db } from '../../db/connection';

export interface SkeletonActivities {
  skeletonStep(input: { policyNo: string; dueDate: string; step: number }): Promise<{ step: number }>;
}

export function createSkeletonActivities(db: Db): SkeletonActivities {
  return {
    async skeletonStep({ step }) {
      await db.raw('SELECT 1');
      return { step };
    },
  };
}
