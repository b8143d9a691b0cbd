import { NOTICE_TEMPLATES } from './templates/catalogue';
import { templateKey } from './templates/notice-template';

/** One registered SMS template: the provider's code and its variables in the order Tencent wants them. */
export interface RegisteredSms {
  code: string;
  params: string[];
  /** The approved text in Alibaba's `${variable}` form, for filing and for the simulator. */
  text: string;
}

export interface RegisteredWechat {
  templateId: string;
  /** WeChat data key → our param name (the activity hands the params keyed by the data keys). */
  data: Record<string, string>;
}

/**
 * Every provider template the notice catalogue needs, by template key (`id` or `id.variant`).
 * Real codes come from the providers after approval (pass them in `codes`, e.g. from a JSON file);
 * without one, a key gets a stable placeholder code the simulators accept.
 */
export function providerTemplateRegistry(codes: { sms?: Record<string, string>; wechat?: Record<string, string> } = {}): {
  sms: Record<string, RegisteredSms>;
  wechat: Record<string, RegisteredWechat>;
} {
  const sms: Record<string, RegisteredSms> = {};
  const wechat: Record<string, RegisteredWechat> = {};
  for (const template of NOTICE_TEMPLATES) {
    for (const [variant, content] of Object.entries(template.variants)) {
      const key = templateKey(template.id, variant);
      // The SMS, and its variant with the payment link as a template of its own (`<key>.link`).
      for (const [smsKey, text] of [[key, content.sms], [`${key}.link`, content.smsWithLink]] as const) {
        if (!text) continue;
        const source = `${text.zh} ${text.en}`;
        sms[smsKey] = {
          code: codes.sms?.[smsKey] ?? `SMS_RNW_${smsKey.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`,
          params: variablesIn(source),
          text: source.replace(/\{\{\s*([A-Za-z]\w*)\s*\}\}/g, '${$1}'),
        };
      }
      if (content.wechat) {
        const keys = ['first', ...content.wechat.keywords.map((_, i) => `keyword${i + 1}`), 'remark'];
        wechat[key] = { templateId: codes.wechat?.[key] ?? `TPL_RNW_${key.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`, data: Object.fromEntries(keys.map((k) => [k, k])) };
      }
    }
  }
  return { sms, wechat };
}

/** The `{{variable}}`s of a template source, first appearance first. */
function variablesIn(source: string): string[] {
  const names: string[] = [];
  for (const match of source.matchAll(/\{\{\s*([A-Za-z]\w*)\s*\}\}/g)) if (!names.includes(match[1]!)) names.push(match[1]!);
  return names;
}
