import type { Knex } from 'knex';

/**
 * Segments and per-policy plans (docs/business-rules.md#segments): where a policy's segment came
 * from (`file`: policies.csv's segment column; `rule`: computed by domain/segments.ts), a segment
 * only A, B or C, and the collection plan a policy names instead of its product's (null: the
 * product's). And on each import run, the mapping file it was read with (docs/business-rules.md#mapping-file).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('policies', (t) => {
    t.string('segment_source', 8);
    t.string('plan_code', 32);
  });
  await knex.raw(`ALTER TABLE policies ADD CONSTRAINT policies_segment CHECK (segment IN ('A', 'B', 'C'))`);
  await knex.raw(`ALTER TABLE policies ADD CONSTRAINT policies_segment_source CHECK (segment_source IN ('file', 'rule') AND segment IS NOT NULL OR segment_source IS NULL)`);
  await knex.schema.alterTable('import_runs', (t) => {
    t.string('mapping_file', 255);
    t.string('mapping_sha256', 64);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_runs', (t) => {
    t.dropColumn('mapping_sha256');
    t.dropColumn('mapping_file');
  });
  await knex.raw('ALTER TABLE policies DROP CONSTRAINT policies_segment_source, DROP CONSTRAINT policies_segment');
  await knex.schema.alterTable('policies', (t) => {
    t.dropColumn('plan_code');
    t.dropColumn('segment_source');
  });
}
