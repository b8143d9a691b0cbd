import { createHash } from 'node:crypto';
import { formatYuan } from '../domain/money';
import type { PaymentProviderName } from '../integrations/payments/port';
import type { PayPage } from './payment-links';

/*
 * The hosted payment page (docs/architecture.md#online-payment): zh-CN, mobile-first, no script.
 * Everything shown is escaped; the one stylesheet is inline and allowed by its hash in the CSP.
 */

const STYLE = [
  'body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;padding:16px;background:#f5f5f5;color:#222}',
  'main{max-width:28rem;margin:0 auto;background:#fff;border-radius:8px;padding:20px}',
  'h1{font-size:1.25rem;margin:0 0 16px}dl{margin:0 0 20px}dt{color:#666;font-size:.875rem}dd{margin:0 0 12px;font-size:1.125rem}',
  '.amount{font-size:1.75rem;font-weight:600}form{margin:0 0 12px}',
  'button{width:100%;padding:14px;font-size:1.0625rem;border:0;border-radius:6px;color:#fff}',
  '.wechatpay{background:#07c160}.alipay{background:#1677ff}p{color:#666;font-size:.875rem}',
].join('');

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** The page's Content-Security-Policy: no script, no frames, forms only to us (the provider is reached by our redirect). */
export function pageCsp(formTargets: readonly string[]): string {
  return [`default-src 'none'`, `style-src 'sha256-${STYLE_HASH}'`, `form-action 'self' ${formTargets.join(' ')}`.trim(), `frame-ancestors 'none'`, `base-uri 'none'`].join('; ');
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, main: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escape(title)}</title><style>${STYLE}</style></head><body><main>${main}</main></body></html>`;
}

const BUTTONS: Record<PaymentProviderName, string> = { wechatpay: '微信支付', alipay: '支付宝' };

export function payPageHtml(page: PayPage, token: string, providers: readonly PaymentProviderName[]): string {
  const forms = providers
    .map((p) => `<form method="post" action="/p/${escape(token)}/${p}"><button class="${p}" type="submit">${BUTTONS[p]}</button></form>`)
    .join('');
  return layout(
    '续期保费支付',
    `<h1>续期保费支付</h1><dl><dt>保单号</dt><dd>${escape(page.maskedPolicyNo)}</dd><dt>应缴金额</dt><dd class="amount">¥${formatYuan(page.amountDueFen)}</dd><dt>应缴日期</dt><dd>${escape(page.dueDate)}</dd></dl>${forms}<p>支付完成后，保单状态将自动更新。如有疑问，请致电客服。</p>`,
  );
}

/** The same page for an unknown, expired or settled link: it says nothing about any policy. */
export function linkNotValidHtml(): string {
  return layout('链接已失效', '<h1>链接已失效</h1><p>该支付链接已失效或不存在。如需缴费，请联系您的服务人员或致电客服。</p>');
}

/** Shown when the provider could not take the order: try again, nothing was charged. */
export function providerFailedHtml(): string {
  return layout('暂时无法支付', '<h1>暂时无法支付</h1><p>支付服务暂时不可用，未发生扣款。请稍后返回重试。</p>');
}
