import { accessSync, constants } from 'node:fs';
import type { Knex } from 'knex';
import type { Environment, LetterSettings, Settings } from '../config/settings';
import { letterName, letterOfContact, storeLetter } from '../db/repositories/letters';
import { checkLetterFont } from '../integrations/letters/letter-pdf';
import { LettersApart } from '../integrations/letters/letters-apart';
import { PrintHouseLetters, type LetterStore } from '../integrations/letters/print-house-letters';
import type { TextMessagePort } from '../integrations/messaging/port';

/** The letter store over the database (db/repositories/letters.ts). */
export function databaseLetterStore(db: Knex): LetterStore {
  return {
    letterOf: (contactAttemptId) => letterOfContact(db, contactAttemptId),
    store: (letter) => storeLetter(db, letter),
    nameOf: letterName,
  };
}

/**
 * Outside RENEWALS_ENV=demo letters need a font the insurer chose and its own name and address on
 * them: the demo's are refused, one line per variable. In any environment a font that cannot be read
 * is refused, naming LETTER_FONT_PATH.
 */
export function letterRefusals(settings: Pick<Settings, 'letters' | 'demoDefaults'>, environment: Environment): string[] {
  const refusals: string[] = [];
  if (environment !== 'demo') {
    const demo = (name: string) => settings.demoDefaults.includes(name);
    if (demo('LETTER_FONT_PATH')) refusals.push('LETTER_FONT_PATH is not set: outside RENEWALS_ENV=demo the worker needs a readable font file with Chinese glyphs (e.g. a Noto Sans CJK .ttc, with LETTER_FONT_NAME) to print letters');
    for (const name of ['LETTER_SENDER_NAME', 'LETTER_SENDER_ADDRESS', 'PRINT_HOUSE_CODE']) {
      if (demo(name)) refusals.push(`${name} is not set: outside RENEWALS_ENV=demo the demo's value is refused on letters`);
    }
    if (refusals.length > 0) return refusals;
  }
  try {
    accessSync(settings.letters.fontPath, constants.R_OK);
    checkLetterFont(fontOf(settings.letters));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    refusals.push(why.startsWith('LETTER_FONT_PATH') ? why : `LETTER_FONT_PATH ${settings.letters.fontPath} cannot be read: ${why}`);
  }
  return refusals;
}

function fontOf(letters: LetterSettings) {
  return { path: letters.fontPath, ...(letters.fontName ? { name: letters.fontName } : {}) };
}

/** The letter channel over the database: rendered to PDF and stored in the sending activity. */
export function printHouseLetters(db: Knex, letters: LetterSettings): PrintHouseLetters {
  return new PrintHouseLetters({
    store: databaseLetterStore(db),
    font: fontOf(letters),
    sender: { name: letters.senderName, address: letters.senderAddress },
    printHouse: letters.printHouse,
  });
}

/** `text` with its letters stored durably for the print house; and the line the start-up says about them. */
export function withDurableLetters(text: TextMessagePort, db: Knex, letters: LetterSettings): { text: TextMessagePort; describe: string } {
  return {
    text: new LettersApart(text, printHouseLetters(db, letters)),
    describe: `letters rendered to PDF and stored in the database for print house ${letters.printHouse} (renewals letters batch writes them to ${letters.outboxDir})`,
  };
}
