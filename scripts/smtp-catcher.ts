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
  /** RCPT TO this address is refused (default: 550 5.1.1, no such mailbox), as a relay refuses an address it knows is bad. */
  rejectRecipient(address: string, reply?: { code: number; text: string }): void;
  /** While down, every connection is answered 421 (service not available) and closed: an outage. */
  setDown(down: boolean): void;
  /** Connections refused with 421 so far. */
  refusedConnections(): number;
  close(): Promise<void>;
}

/** A server error with the reply code smtp-server answers with. */
function reply(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

/**
 * A real SMTP server that accepts every message and keeps it: in memory for tests, and as .eml files
 * in `dir` for the demo and the local stack, where any mail client can open them.
 */
export function startSmtpCatcher(options: { port?: number; dir?: string } = {}): Promise<SmtpCatcher> {
  const messages: CaughtMessage[] = [];
  const rejected = new Map<string, { code: number; text: string }>();
  let down = false;
  let refused = 0;
  if (options.dir) mkdirSync(options.dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      if (!down) return callback();
      refused += 1;
      callback(reply(421, '4.3.2 Service not available, closing transmission channel'));
    },
    onRcptTo(address, _session, callback) {
      const refusal = rejected.get(address.address.toLowerCase());
      callback(refusal ? reply(refusal.code, refusal.text.replace('{address}', `<${address.address}>`)) : undefined);
    },
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
      server.off('error', reject);
      // A client that goes away mid-session (a worker killed, a connection reset) fails on its own side:
      // its unfinished message is not kept, and the catcher goes on serving the others.
      server.on('error', () => undefined);
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `smtp://127.0.0.1:${port}`,
        port,
        messages,
        rejectRecipient: (address, refusal = { code: 550, text: '5.1.1 {address}: Recipient address rejected: User unknown in virtual mailbox table' }) =>
          void rejected.set(address.toLowerCase(), refusal),
        setDown: (value) => {
          down = value;
        },
        refusedConnections: () => refused,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
