import tseslint from 'typescript-eslint';
import architecture from './layers.json' with { type: 'json' };

const FOLDERS = Object.keys(architecture.layers);

/**
 * Imports that would point up or sideways, per folder (layers.json): a relative path into a folder
 * the layer may not import. test/unit/architecture.test.ts checks the same table on every import.
 */
function layerRules(folder) {
  const allowed = new Set([folder, ...architecture.layers[folder]]);
  const typeOnly = architecture.typeOnly[folder] ?? [];
  const denied = FOLDERS.filter((f) => !allowed.has(f) && !typeOnly.includes(f));
  const pattern = (names) => `^(\\.\\./)+(${names.join('|')})(/|$)`;
  const patterns = [];
  if (denied.length) patterns.push({ regex: pattern(denied), message: `${folder}/ may import only ${[...allowed].join(', ')} (layers.json).` });
  if (typeOnly.length) patterns.push({ regex: pattern(typeOnly), allowTypeImports: true, message: `${folder}/ may name ${typeOnly.join(', ')} in type imports only.` });
  return patterns;
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...FOLDERS.filter((folder) => !['workflows', 'domain'].includes(folder)).map((folder) => ({
    files: [`${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: layerRules(folder) }] },
  })),
  ...['workflows', 'domain'].map((folder) => ({
    // Workflow code is replayed: no Node built-ins, no I/O libraries, not even through an import.
    files: [`${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...layerRules(folder),
            { group: ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process', 'net', 'http', 'https'], message: 'No Node built-ins in deterministic code.' },
            { group: ['knex', 'pg', 'nodemailer', '@temporalio/activity', '@temporalio/worker', '@temporalio/client'], message: 'Deterministic code does no I/O.' },
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Not deterministic.' }],
    },
  })),
  {
    // Tests read raw rows from knex (typed any) to assert exactly what the database holds.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
