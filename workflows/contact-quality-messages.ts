/** The nightly contact-quality schedule's names, shared by the workflow and its clients. */

export const QUALITY_SCHEDULE_ID = 'renewals-nightly-contact-quality';
export const QUALITY_SCHEDULE_TIME_ZONE = 'Asia/Shanghai';

export interface NightlyContactQualityInput {
  /** Customers sharing one number or email before it is flagged (default: domain/contact-quality.ts). */
  sharedThreshold?: number;
}
