import type { Knex } from 'knex';
import { checkContactQuality, type ContactQualityCheck } from '../db/repositories/contact-quality';

/** The nightly contact-quality check (docs/business-rules.md#contact-quality-nightly). */
export function createContactQualityActivities({ db }: { db: Knex }) {
  return {
    /** The same computation as `renewals contacts check-quality`. */
    async refreshContactQuality(options: { sharedThreshold?: number } = {}): Promise<ContactQualityCheck> {
      return checkContactQuality(db, options);
    },
  };
}
