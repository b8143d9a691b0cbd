/** Prints README's roles table from the permission table (domain/roles-table.ts). */
import { rolesTableMarkdown } from '../domain/roles-table';

process.stdout.write(`${rolesTableMarkdown()}\n`);
