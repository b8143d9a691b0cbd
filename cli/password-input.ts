import { CliError } from './errors';

/**
 * A password (or a setup token) for `login`, `users add` and `users bootstrap`: the whole of standard
 * input with `--password-stdin` (automation: `printf %s "$PW" | renewals login ...`), else typed at
 * the terminal without echo. Never an argument: arguments show in `ps` and shell history.
 */
export async function readSecret(prompt: string, fromStdin: boolean): Promise<string> {
  const secret = fromStdin ? await readAllStdin() : await readFromTerminal(prompt);
  if (secret === '') throw new CliError('the password is empty', 2);
  return secret;
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  // One trailing newline is the shell's, not the password's.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function readFromTerminal(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return Promise.reject(new CliError('no terminal to type the password at: pass it on standard input with --password-stdin', 2));
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('cancelled', 130));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
