/** Entry point of the `renewals` CLI (bin/renewals, or `npm run renewals -- <command>`). */
import { runCli } from './program';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`renewals: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
