/**
 * Import files for a month's book (docs/business-rules.md#import-files): products, agents and
 * `count` in-force policies whose next premium falls due in `month`, with invented but well-formed
 * personal data (names, resident ids with their check character, mobiles, accounts). Deterministic:
 * the same files for the same arguments.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDays } from '../../domain/civil-date';
import { AGENT_COLUMNS, POLICY_COLUMNS, PRODUCT_COLUMNS } from '../../domain/import-columns';
import { residentIdCheckChar } from '../../domain/import-rows';

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '欧阳'];
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '建国', '志强'];
const REGIONS = ['320102', '320104', '310101', '110101', '440103', '330106'];
const BANKS: [string, string][] = [['ICBC', '622202'], ['CCB', '621700'], ['ABC', '622848'], ['BOC', '621661'], ['CMB', '622588']];
const BRANCHES = ['3201', '3202', '3101', '1101', '4401', '3301'];
const PRODUCTS = ['MW20', 'MW10', 'MC20', 'MC10', 'ME05'];
const AGENTS = 500;

const csvLine = (values: readonly (string | number)[]) => values.map((v) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(',');

export function writeMonthFiles(dir: string, month: string, count: number): { products: string; agents: string; policies: string } {
  const rnd = random(20261206);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
  const person = () => {
    const birth = addDays('1955-01-01', Math.floor(rnd() * 365 * 45));
    const body = `${pick(REGIONS)}${birth.replaceAll('-', '')}${digits(3)}`;
    return { name: pick(SURNAMES) + pick(GIVEN), idNo: body + residentIdCheckChar(body), birth };
  };
  const files = { products: join(dir, 'products.csv'), agents: join(dir, 'agents.csv'), policies: join(dir, 'policies.csv') };
  writeFileSync(files.products, [PRODUCT_COLUMNS.join(','), ...PRODUCTS.map((code) => csvLine([code, `产品 ${code}`, 60, 2, ''])), ''].join('\n'));
  const agents = [AGENT_COLUMNS.join(',')];
  for (let i = 0; i < AGENTS; i++) {
    const team = Math.floor(i / 20);
    const code = `MA${String(i).padStart(4, '0')}`;
    const leader = `MA${String(team * 20).padStart(4, '0')}`;
    agents.push(csvLine([code, person().name, `139${digits(8)}`, `MT${String(team).padStart(3, '0')}`, BRANCHES[team % BRANCHES.length]!, 'active', code === leader ? '' : leader]));
  }
  writeFileSync(files.agents, `${agents.join('\n')}\n`);
  const lines = [POLICY_COLUMNS.join(',')];
  let holder = person();
  for (let i = 0; i < count; i++) {
    if (i === 0 || rnd() > 0.125) holder = person(); // about 1 in 8 holders has two policies
    const due = `${month}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const installment = 2 + Math.floor(rnd() * 9);
    const [bank, bin] = pick(BANKS);
    const email = rnd() < 0.4 ? `m${i}@example.cn` : '';
    lines.push(
      csvLine([
        `M${String(i).padStart(9, '0')}`,
        pick(PRODUCTS),
        pick(['agency', 'agency', 'agency', 'bancassurance', 'telemarketing', 'internet']),
        pick(BRANCHES),
        rnd() < 0.08 ? '' : `MA${String(Math.floor(rnd() * AGENTS)).padStart(4, '0')}`,
        holder.name,
        'ID',
        holder.idNo,
        holder.birth,
        `1${pick(['3', '5', '8', '9'])}${digits(9)}`,
        email,
        '',
        email && rnd() < 0.5 ? 'email' : 'sms',
        addDays(due, -365 * (installment - 1)),
        'annual',
        `${1000 + Math.floor(rnd() * 20_000)}.00`,
        due,
        installment,
        bank,
        `${bin}${digits(13)}`,
        holder.name,
        'N',
        `${Math.floor(rnd() * 50_000)}.00`,
        'in_force',
      ]),
    );
  }
  writeFileSync(files.policies, `${lines.join('\n')}\n`);
  for (const file of Object.values(files)) chmodSync(file, 0o644);
  return files;
}
