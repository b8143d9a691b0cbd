import { MockActivityEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { createContactActivities, type ContactOutcome, type ContactRequest } from '../../activities/contact-activities';
import { readSettings } from '../../config/settings';
import type { PiiCipher } from '../../db/pii-cipher';
import { shanghaiInstant } from '../../domain/civil-date';
import { LettersApart } from '../../integrations/letters/letters-apart';
import { PrintHouseLetters } from '../../integrations/letters/print-house-letters';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { RecordingTextChannels } from '../../integrations/messaging/text-channels';
import { databaseLetterStore } from '../../workers/letter-wiring';

const demo = readSettings({ RENEWALS_ENV: 'demo' }).letters;
let run = 0;

/**
 * One lapse letter rendered and stored for a policy as its contact step does (the contact activity
 * in a mock activity environment at a Shanghai wall-clock time "YYYY-MM-DD HH:MM"), for a print house.
 */
export async function sendSampleLetter(
  db: Knex,
  cipher: PiiCipher,
  letter: { policyNo: string; dueDate: string; step: string; at: string; printHouse: string },
): Promise<ContactOutcome> {
  run += 1;
  const [date, time] = letter.at.split(' ');
  const env = new MockActivityEnvironment({
    activityId: 'letter',
    attempt: 1,
    currentAttemptScheduledTimestampMs: shanghaiInstant(date!, time),
    workflowExecution: { workflowId: `renewal-${letter.policyNo}-${letter.step}`, runId: `sample-letter-${run}` },
  });
  const channel = new PrintHouseLetters({
    store: databaseLetterStore(db),
    font: { path: demo.fontPath, ...(demo.fontName ? { name: demo.fontName } : {}) },
    sender: { name: demo.senderName, address: demo.senderAddress },
    printHouse: letter.printHouse,
  });
  const email = new SmtpEmail('smtp://127.0.0.1:1', 'renewals@insurer.example');
  const activities = createContactActivities({ db, cipher, email, text: new LettersApart(new RecordingTextChannels(), channel) });
  const request: ContactRequest = { step: letter.step, template: 'lapse_letter', channels: ['letter'], allChannels: false, fields: { suspensionDate: '2026-12-24' } };
  try {
    return await env.run<[], ContactOutcome, () => Promise<ContactOutcome>>(() => activities.sendContact({ policyNo: letter.policyNo, dueDate: letter.dueDate }, request));
  } finally {
    email.close();
  }
}
