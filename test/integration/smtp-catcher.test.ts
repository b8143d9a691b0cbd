import { connect } from 'node:net';
import { once } from 'node:events';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpCatcher, type SmtpCatcher } from '../../scripts/smtp-catcher';

/**
 * The SMTP catcher the tests, the demo and the stack send to: a client killed mid-session (the fault
 * and chaos drills SIGKILL workers) must not bring the catcher, or the process it runs in, down.
 */
let smtp: SmtpCatcher;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => void uncaught.push(error);

beforeAll(async () => {
  smtp = await startSmtpCatcher();
  process.on('uncaughtException', onUncaught);
});

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await smtp?.close();
});

describe('the SMTP catcher', () => {
  it('outlives a client reset mid-session and keeps taking mail', async () => {
    // Killed while a message was being sent, more than once (a drill kills its worker again and again).
    for (let kill = 0; kill < 3; kill++) {
      const socket = connect(smtp.port, '127.0.0.1');
      await once(socket, 'data'); // the 220 greeting
      for (const line of ['EHLO worker.example', 'MAIL FROM:<renewals@insurer.example>', 'RCPT TO:<holder@example.cn>', 'DATA']) {
        socket.write(`${line}\r\n`);
        await once(socket, 'data');
      }
      socket.write('Subject: cut short\r\n\r\nhalf a mess');
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.resetAndDestroy(); // as a SIGKILLed worker's socket: an RST, not a QUIT
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const transport = nodemailer.createTransport({ url: smtp.url } as never);
    await transport.sendMail({ from: 'renewals@insurer.example', to: 'holder@example.cn', subject: 'after the reset', text: 'still here' });
    transport.close();
    expect(uncaught).toEqual([]);
    expect(smtp.messages.map((m) => m.to)).toEqual([['holder@example.cn']]);
  });
});
