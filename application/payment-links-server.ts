import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Knex } from 'knex';
import { isPaymentProvider, type PaymentProvider, type PaymentProviderName } from '../integrations/payments/port';
import { payPageOf, startOnlinePayment } from './payment-links';
import { takeNotification } from './payment-links-notifications';
import { linkNotValidHtml, pageCsp, payPageHtml, providerFailedHtml } from './payment-links-page';
import type { UpdateOptions } from './update-deadline';

export interface PaymentLinkServerOptions {
  db: Knex;
  client: Client;
  providers: Partial<Record<PaymentProviderName, PaymentProvider>>;
  /** Origins the payer's browser is sent on to (the providers' cashiers), for the CSP's form-action. */
  payOrigins?: readonly string[];
  trustProxy?: boolean;
  update?: UpdateOptions;
  /** Called with each failure the payer does not see (to log it: no token, no personal data in it). */
  onError?: (what: string, error: unknown) => void;
}

/**
 * The payment-link server (docs/architecture.md#online-payment): GET /p/:token the hosted page,
 * POST /p/:token/:provider an order and a redirect to the provider's cashier, POST /notify/:provider
 * the providers' notifications. Request logging is off: the path holds the token.
 */
export async function buildPaymentLinkServer(options: PaymentLinkServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, trustProxy: options.trustProxy ?? false, bodyLimit: 64 * 1024 });
  // Notifications are verified over the bytes as sent: every body is kept as text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Read per request: a caller may add a provider once it knows the notify URL this server listens on.
  const offered = () => Object.values(options.providers).filter((p): p is PaymentProvider => p !== undefined).map((p) => p.name);
  const csp = pageCsp(options.payOrigins ?? []);

  const html = (reply: FastifyReply, status: number, body: string) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', csp)
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(body);

  app.get<{ Params: { token: string } }>('/p/:token', async (request, reply) => {
    const page = await payPageOf(options.db, request.params.token);
    if (!page) return html(reply, 404, linkNotValidHtml());
    return html(reply, 200, payPageHtml(page, request.params.token, offered()));
  });

  app.post<{ Params: { token: string; provider: string } }>('/p/:token/:provider', async (request, reply) => {
    const provider = isPaymentProvider(request.params.provider) ? options.providers[request.params.provider] : undefined;
    if (!provider) return html(reply, 404, linkNotValidHtml());
    let started;
    try {
      started = await startOnlinePayment(options.db, provider, request.params.token, request.ip);
    } catch (error) {
      options.onError?.(`${provider.name} order not created`, error);
      return html(reply, 502, providerFailedHtml());
    }
    if (!started) return html(reply, 404, linkNotValidHtml());
    return reply.code(303).header('location', started.payUrl).header('referrer-policy', 'no-referrer').header('cache-control', 'no-store').send();
  });

  app.post<{ Params: { provider: string } }>('/notify/:provider', async (request, reply) => {
    const provider = isPaymentProvider(request.params.provider) ? options.providers[request.params.provider] : undefined;
    if (!provider) return reply.code(404).send();
    try {
      const { answer } = await takeNotification(options.db, options.client, provider, { headers: request.headers, body: typeof request.body === 'string' ? request.body : '' }, options.update);
      return reply.code(answer.status).header('content-type', answer.contentType).send(answer.body);
    } catch (error) {
      options.onError?.(`${provider.name} notification not applied`, error);
      const failed = provider.refused(500, 'not applied, send again');
      return reply.code(500).header('content-type', failed.contentType).send(failed.body);
    }
  });

  return app;
}
