import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperatorError } from '../../application/errors';
import { simulate } from '../../scripts/simulate/simulate';

/**
 * The simulator renders letters as the worker does, so it refuses a letter font it cannot read before
 * any server starts, as the worker refuses it (workers/letter-wiring.ts). Without the check every
 * letter failed and its contact step retried for days of simulated time.
 */
describe('simulate: the letter font', () => {
  const before = process.env.LETTER_FONT_PATH;
  afterEach(() => {
    if (before === undefined) delete process.env.LETTER_FONT_PATH;
    else process.env.LETTER_FONT_PATH = before;
  });

  it('a font that cannot be read is refused up front, naming LETTER_FONT_PATH and the path', async () => {
    process.env.LETTER_FONT_PATH = '/nonexistent/letter-font.ttc';
    const progress: string[] = [];
    const run = simulate({ dir: join(__dirname, '..', '..', 'scenarios', 'demo'), progress: (line) => progress.push(line) });
    await expect(run).rejects.toBeInstanceOf(OperatorError);
    await expect(run).rejects.toThrow(/^LETTER_FONT_PATH \/nonexistent\/letter-font\.ttc cannot be read/);
    // Refused before the Temporal server, PostgreSQL or any import started.
    expect(progress).toEqual([]);
  });
});
