import { describe, expect, it } from 'vitest';
import {
  accountRefused,
  CIRCUIT_COOL_DOWN_MS,
  CIRCUIT_MAX_COOL_DOWN_MS,
  closedCircuit,
  coolDown,
  operatorReset,
  PROBE_LEASE_MS,
  probeAnswered,
  probeClaimed,
  probeInconclusive,
  sendPermission,
} from '../../domain/provider-circuit';

const t0 = Date.UTC(2027, 0, 4, 1, 0);

describe('a provider circuit', () => {
  it('closed (or never opened): every message goes', () => {
    expect(sendPermission(undefined, t0)).toEqual({ decision: 'send' });
    expect(sendPermission(closedCircuit('alibaba-sms'), t0)).toEqual({ decision: 'send' });
  });

  it('an account-wide refusal opens it once: contacts wait until the cool-down is over, then one probe goes', () => {
    const { circuit, newlyOpened } = accountRefused(closedCircuit('alibaba-sms'), 'isv.AMOUNT_NOT_ENOUGH', t0);
    expect(newlyOpened).toBe(true);
    expect(circuit).toMatchObject({ status: 'open', code: 'isv.AMOUNT_NOT_ENOUGH', openedAt: t0, probeAt: t0 + CIRCUIT_COOL_DOWN_MS, failedProbes: 0 });
    expect(sendPermission(circuit, t0 + 60_000)).toEqual({ decision: 'wait', until: t0 + CIRCUIT_COOL_DOWN_MS, code: 'isv.AMOUNT_NOT_ENOUGH' });
    // A message already under way meets the same refusal: no second opening (no second task or alert).
    expect(accountRefused(circuit, 'isv.AMOUNT_NOT_ENOUGH', t0 + 1_000)).toEqual({ circuit, newlyOpened: false });

    const probeTime = t0 + CIRCUIT_COOL_DOWN_MS;
    expect(sendPermission(circuit, probeTime)).toEqual({ decision: 'probe' });
    const probing = probeClaimed(circuit, probeTime);
    expect(sendPermission(probing, probeTime + 1_000)).toEqual({ decision: 'wait', until: probeTime + PROBE_LEASE_MS, code: 'isv.AMOUNT_NOT_ENOUGH' });
    // The prober died: after its lease another sender may probe.
    expect(sendPermission(probing, probeTime + PROBE_LEASE_MS)).toEqual({ decision: 'probe' });
  });

  it('a probe that meets the refusal again opens it for twice as long, up to the maximum', () => {
    let { circuit } = accountRefused(closedCircuit('wechat-oa'), '48001', t0);
    let now = t0;
    const coolDowns: number[] = [];
    for (let i = 0; i < 6; i++) {
      now = circuit.probeAt!;
      circuit = accountRefused(probeClaimed(circuit, now), '48001', now).circuit;
      coolDowns.push(circuit.probeAt! - now);
    }
    expect(coolDowns).toEqual([2, 4, 8, 16, 16, 16].map((k) => Math.min(k * CIRCUIT_COOL_DOWN_MS, CIRCUIT_MAX_COOL_DOWN_MS)));
    expect(circuit.failedProbes).toBe(6);
    expect(coolDown(0)).toBe(CIRCUIT_COOL_DOWN_MS);
  });

  it('a probe that goes through (or is refused for its recipient only) closes it', () => {
    const open = accountRefused(closedCircuit('smtp'), '535 5.7.8', t0).circuit;
    const probing = probeClaimed(open, open.probeAt!);
    expect(probeAnswered(probing)).toEqual({ circuit: closedCircuit('smtp'), closed: true });
    expect(probeAnswered(closedCircuit('smtp'))).toEqual({ circuit: closedCircuit('smtp'), closed: false });
  });

  it('a probe that tells nothing (a timeout) leaves it open for the same cool-down', () => {
    const open = accountRefused(closedCircuit('tencent-sms'), 'FailedOperation.InsufficientBalanceInSmsPackage', t0).circuit;
    const at = open.probeAt!;
    expect(probeInconclusive(probeClaimed(open, at), at)).toMatchObject({ status: 'open', probeAt: at + CIRCUIT_COOL_DOWN_MS, failedProbes: 0 });
    expect(probeInconclusive(open, at)).toBe(open);
  });

  it('an operator closes it at once', () => {
    const open = accountRefused(closedCircuit('alibaba-sms'), 'isv.OUT_OF_SERVICE', t0).circuit;
    expect(operatorReset(open)).toEqual({ circuit: closedCircuit('alibaba-sms'), closed: true });
  });
});
