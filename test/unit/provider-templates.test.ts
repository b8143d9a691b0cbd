import { describe, expect, it } from 'vitest';
import { providerTemplateRegistry } from '../../integrations/messaging/provider-templates';
import { renderNotice } from '../../integrations/messaging/templates/renewal-notices';

describe('provider template registry', () => {
  const registry = providerTemplateRegistry({ sms: { pre_due_reminder: 'SMS_480012345' } });

  it('registers each SMS variant with the variables a rendered notice hands over, in the same order', () => {
    const notice = renderNotice('debit_failed', { policyNo: 'P1', dueDate: '2026-12-24', debitDate: '2026-12-24', amountFen: 123_456, lastGraceDay: '2027-02-22', reason: 'ACCOUNT_CLOSED' });
    const registered = registry.sms[notice.sms!.templateKey]!;
    expect(registered.params).toEqual(notice.sms!.paramOrder);
    expect(Object.keys(notice.sms!.params).sort()).toEqual([...registered.params].sort());
    expect(registered.text).toContain('${policyNo}');
    expect(registered.text).not.toContain('{{');
  });

  it('uses the approved codes given and placeholders for the rest; WeChat data keys map to themselves', () => {
    expect(registry.sms.pre_due_reminder!.code).toBe('SMS_480012345');
    expect(registry.sms['debit_failed.insufficient_funds']!.code).toBe('SMS_RNW_DEBIT_FAILED_INSUFFICIENT_FUNDS');
    const wechat = registry.wechat.pre_due_reminder!;
    expect(Object.entries(wechat.data).every(([k, v]) => k === v)).toBe(true);
    expect(Object.keys(wechat.data)[0]).toBe('first');
  });
});
