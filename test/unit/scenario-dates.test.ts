import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { shiftMonth, shiftScenarioYears, yearsToLieAhead } from '../../scripts/simulate/shift-dates';

describe('moving a scenario ahead of the server clock', () => {
  it('keeps a month whose run (the 1st of the month before) is still ahead, moves one whose run has come by whole years', () => {
    expect(yearsToLieAhead('2027-01', '2026-11-23')).toBe(0);
    expect(yearsToLieAhead('2027-01', '2026-11-30')).toBe(0);
    expect(yearsToLieAhead('2027-01', '2026-12-01')).toBe(1);
    // After a short month: March runs on 1 February, still ahead on 29–31 January.
    expect(yearsToLieAhead('2027-03', '2027-01-31')).toBe(0);
    expect(yearsToLieAhead('2027-03', '2027-02-01')).toBe(1);
    expect(yearsToLieAhead('2026-12', '2026-11-23')).toBe(1);
    expect(yearsToLieAhead('2020-03', '2026-11-23')).toBe(7);
  });

  it('shifts months across year ends', () => {
    expect(shiftMonth('2027-01', 0, -1)).toBe('2026-12');
    expect(shiftMonth('2026-12', 1, 1)).toBe('2028-01');
    expect(shiftMonth('2024-02', 2)).toBe('2026-02');
  });

  it('moves issue, due, event and promised dates only; birth dates, other values and bad dates stay', () => {
    const from = mkdtempSync(join(tmpdir(), 'shift-from-'));
    const to = mkdtempSync(join(tmpdir(), 'shift-to-'));
    const header = 'policy_no,holder_name,holder_birth_date,issue_date,next_due_date';
    writeFileSync(join(from, 'policies.csv'), iconv.encode(`${header}\nP1,王芳,1980-02-29,2020-02-29,2024-02-29\nP2,李强,1975-01-01,2019-13-01,2024-03-10\n`, 'gbk'));
    writeFileSync(join(from, 'events.csv'), 'date,policy_no,event,value\n2024-03-01,P1,promise,2024-03-20\n2024-03-02,P1,deposit,2024.03\n');
    const shifted = shiftScenarioYears(to, 1, { policies: join(from, 'policies.csv'), events: join(from, 'events.csv') });
    expect(readFileSync(shifted.policies, 'utf8')).toBe(`${header}\nP1,王芳,1980-02-29,2021-02-28,2025-02-28\nP2,李强,1975-01-01,2019-13-01,2025-03-10\n`);
    expect(readFileSync(shifted.events!, 'utf8')).toBe('date,policy_no,event,value\n2025-03-01,P1,promise,2025-03-20\n2025-03-02,P1,deposit,2024.03\n');
  });
});
