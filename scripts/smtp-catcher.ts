import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { writeOutputFile } from '../application/output-files';

export interface CaughtMessage {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface SmtpCatcher {
  url: string;
  port: number;
  messages: CaughtMessage[];
  close(): Promise<void>;
}

/**
 * A real SMTP server that accepts every message and keeps it: in memory for tests, and as .eml files
 * in `dir` for the demo and the local stack, where any mail client can open them.
 */
export function startSmtpCatcher(options: { port?: number; dir?: string } = {}): Promise<SmtpCatcher> {
  const messages: CaughtMessage[] = [];
  if (options.dir) mkdirSync(options.dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const message: CaughtMessage = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        };
        messages.push(message);
        if (!options.dir) return callback();
        // An email holds its recipient's address and name: owner-only. Replaced when there (the stack
        // numbers its mail from 1 at each start; the simulator refuses an earlier run's without --force).
        const file = join(options.dir, `${String(messages.length).padStart(5, '0')}.eml`);
        writeOutputFile(file, message.raw, { personalData: true, force: true }).then(() => callback(), callback);
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `smtp://127.0.0.1:${port}`,
        port,
        messages,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
