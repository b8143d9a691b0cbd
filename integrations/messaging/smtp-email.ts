import nodemailer, { type Transporter } from 'nodemailer';
import { maskPersonalText } from '../../domain/personal-text';
import { ACCOUNT_WIDE, BAD_ADDRESS, TRANSIENT } from '../../domain/provider-failures';
import { ProviderError, type EmailPort, type OutgoingEmail } from './port';
import { classifySmtpReply, enhancedStatus } from './smtp-replies';

export const MESSAGE_ID_DOMAIN = 'renewals.invalid';
export const SMTP_PROVIDER = 'smtp';

/** What nodemailer puts on its errors (smtp-connection's _formatError). */
interface NodemailerFailure {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
}

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
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId,
      });
      return { providerMessageId: info.messageId ?? messageId };
    } catch (error) {
      throw smtpFailure(error, email.to);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * nodemailer's error as a classified ProviderError. Its message and the server's reply carry the
 * address ("550 5.1.1 <a@b>: Recipient address rejected"): only the code, the enhanced status and the
 * reply with every address masked are passed on.
 */
export function smtpFailure(error: unknown, recipient: string): ProviderError {
  const e = (error ?? {}) as NodemailerFailure;
  const kind = typeof e.code === 'string' ? e.code : 'ERROR';
  const command = typeof e.command === 'string' ? e.command : undefined;
  const response = typeof e.response === 'string' ? masked(e.response, recipient) : undefined;
  if (typeof e.responseCode === 'number') {
    const enhanced = enhancedStatus(response);
    const code = enhanced ? `${e.responseCode} ${enhanced}` : String(e.responseCode);
    const failure = classifySmtpReply({ code: e.responseCode, text: response, command });
    return ProviderError.classified(SMTP_PROVIDER, code, failure, `${SMTP_PROVIDER} ${command ?? 'send'} refused with ${response ?? code}`);
  }
  // No reply: the exchange broke off (refused, timed out, reset) or never started.
  if (kind === 'EAUTH') return ProviderError.classified(SMTP_PROVIDER, kind, ACCOUNT_WIDE, `${SMTP_PROVIDER}: authentication failed`);
  if (kind === 'EENVELOPE') return ProviderError.classified(SMTP_PROVIDER, kind, BAD_ADDRESS, `${SMTP_PROVIDER}: no usable recipient address`);
  return ProviderError.classified(SMTP_PROVIDER, kind, TRANSIENT, `${SMTP_PROVIDER}: no answer from the server (${kind})`);
}

function masked(text: string, recipient: string): string {
  const clean = recipient.length >= 3 ? text.split(recipient).join('[recipient]') : text;
  return maskPersonalText(clean).slice(0, 300);
}
