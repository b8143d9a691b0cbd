import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { DEVELOPMENT_DATA_KEY } from '../config/data-keys';
import { PiiCipher } from '../db/pii-cipher';
import { FailureAttributesCodec } from './failure-attributes-codec';

/**
 * The data converter of every worker and client the project builds: failures encoded by
 * workflows/failure-converter.ts and their text sealed under the current data key (RENEWALS_DATA_KEY;
 * the development key in a demo without it). Worker and clients must share a key to read each
 * other's failures; previous keys still open what was sealed before a rotation.
 */

/** The failure converter module (under tsx and vitest) or its compiled form (from dist). */
export function failureConverterPath(): string {
  for (const file of ['failure-converter.ts', 'failure-converter.js']) {
    const path = join(__dirname, '..', 'workflows', file);
    if (existsSync(path)) return path;
  }
  throw new Error(`no workflows/failure-converter.ts or .js next to ${__dirname}`);
}

/**
 * For Worker.create, Worker.runReplayHistory and every Client: the SDK loads the converter by path
 * (the workflow sandbox needs a module, not an object).
 */
export function renewalsDataConverter(cipher: PiiCipher = new PiiCipher(DEVELOPMENT_DATA_KEY)): DataConverter {
  return { failureConverterPath: failureConverterPath(), payloadCodecs: [new FailureAttributesCodec(cipher)] };
}
