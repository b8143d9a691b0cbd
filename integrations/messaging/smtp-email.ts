import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailPort, OutgoingEmail } from './port';

export const MESSAGE_ID_DOMAIN = 'renewals.invalid';

/** Email over SMTP with nodemailer: to a real server (a catcher locally, the insurer's relay in production). */
export class SmtpEmail implements EmailPort {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async send(email: OutgoingEmail): Promise<{ providerMessageId: string }> {
    const messageId = `<${email.contactId}@${MESSAGE_ID_DOMAIN}>`;
    const info = await this.transport.sendMail({
      from: this.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId,
    });
    return { providerMessageId: info.messageId ?? messageId };
  }

  close(): void {
    this.transport.close();
  }
}
