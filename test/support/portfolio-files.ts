import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_COLUMNS, POLICY_COLUMNS } from '../../domain/import-columns';
import { residentIdCheckChar } from '../../domain/import-rows';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇'];
const nameOf = (i: number) => `${SURNAMES[i % SURNAMES.length]!}${GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length]!}`;

export interface PortfolioFiles {
  products: string;
  agents: string;
  policies: string;
  /** What was written, to compare the database with: holder ID number, mobile, email, account by policy. */
  holders: Map<string, { name: string; idNo: string; mobile: string; email: string; accountNo: string; bankCode: string }>;
}

/**
 * Import files for `policies` policies (one holder each, with a mobile and an email) and 40 agents,
 * the same on every run: enough rows for a key rotation to take many batches.
 */
export function writePortfolioFiles(dir: string, policies: number): PortfolioFiles {
  const products = join(dir, 'products.csv');
  writeFileSync(products, 'product_code,name,grace_days,reinstatement_years,plan_code\nWL20,终身寿险,60,2,standard-60\n');
  const agents = join(dir, 'agents.csv');
  const agentLines = [AGENT_COLUMNS.join(',')];
  for (let i = 0; i < 40; i++) agentLines.push(`A${String(i).padStart(3, '0')},${nameOf(i + 7)},139${String(10_000_000 + i * 7919).slice(-8)},T01,3201,active,`);
  writeFileSync(agents, `${agentLines.join('\n')}\n`);

  const holders: PortfolioFiles['holders'] = new Map();
  const lines = [POLICY_COLUMNS.join(',')];
  for (let i = 0; i < policies; i++) {
    const policyNo = `P${String(80_000_000 + i)}`;
    // A valid resident ID: born 1950-1999, month 01-09, day 10-19; unique for fewer than 9,000 policies.
    const body = `320102${1950 + (i % 50)}0${1 + (i % 9)}1${i % 10}${String(i).padStart(3, '0').slice(-3)}`;
    const holder = {
      name: nameOf(i),
      idNo: body + residentIdCheckChar(body),
      mobile: `13${String(100_000_000 + i * 37).slice(-9)}`,
      email: `c${i}@example.cn`,
      accountNo: `622202${String(1_000_000_000_000 + i).slice(-13)}`,
      bankCode: 'ICBC',
    };
    holders.set(policyNo, holder);
    lines.push(
      [
        policyNo, 'WL20', 'agency', '3201', `A${String(i % 40).padStart(3, '0')}`, holder.name, 'ID', holder.idNo, '', holder.mobile, holder.email, '', 'sms',
        '2020-03-15', 'annual', '1200.00', '2027-03-15', '7', holder.bankCode, holder.accountNo, holder.name, 'N', '0', 'in_force',
      ].join(','),
    );
  }
  writeFileSync(join(dir, 'policies.csv'), `${lines.join('\n')}\n`);
  return { products, agents, policies: join(dir, 'policies.csv'), holders };
}
