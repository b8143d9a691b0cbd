/**
 * Call scripts for the agent and team-lead call tasks of a collection plan, by the plan step and
 * the customer's objection. Pure data and a lookup: the task screen shows the script, the caller
 * records one of its outcome codes. Calls are service reminders, never debt collection (an unpaid
 * life premium is not a debt) and never sales. Chinese first, English alongside.
 */
import type { Bilingual } from './bilingual';
import type { DebitReason } from './debit-reasons';
import { NON_PAYMENT_REASON_CODES, type NonPaymentReasonCode } from './non-payment-reasons';
import type { TaskOutcome } from './task-outcomes';

/** Raised whenever any wording changes; recorded with the call so compliance knows what was said. */
export const CALL_SCRIPTS_VERSION = 2;


/** Objections heard on calls that are not themselves reason codes. */
export const COMMON_OBJECTIONS = ['forgot', 'account_changed', 'financial_difficulty', 'wants_to_surrender', 'already_paid'] as const;
export type CommonObjection = (typeof COMMON_OBJECTIONS)[number];
export type Objection = NonPaymentReasonCode | CommonObjection;


export type CallPurpose = 'pre_due_high_value' | 'grace_first_call' | 'mid_grace' | 'grace_escalation' | 'account_fix' | 'reinstatement';

/** What the task screen knows of the case (no personal data), to fit the script to it. */
export interface CallContext {
  /** The policyholder elected the automatic premium loan. Unknown: the caller checks the policy. */
  aplElected?: boolean;
  /** The servicing agent has departed (or there is none): the caller is new to the customer. */
  orphan?: boolean;
  /** Reason of the last failed debit, if any. */
  debitReason?: DebitReason;
}

export interface CallScript {
  /** `purpose` or `purpose/objection`, with `version`: what the call record names. */
  id: string;
  version: number;
  step: string;
  purpose: CallPurpose;
  caller: 'agent' | 'team_lead';
  objection?: Objection;
  title: Bilingual;
  opening: Bilingual[];
  /** What to check and explain. */
  keyPoints: Bilingual[];
  /** The ways forward the caller may offer. */
  options: Bilingual[];
  /** How to answer the objection, when one was given. */
  objectionHandling: Bilingual[];
  compliance: Bilingual[];
  outcomes: { code: TaskOutcome; when: Bilingual }[];
  /** The code to record if the customer declines to pay; absent when the caller must ask. */
  nonPaymentReason?: NonPaymentReasonCode;
}

/** The steps of the default plan and the reinstatement window, by purpose. */
export const CALL_STEPS: Readonly<Record<string, CallPurpose>> = {
  'call_d-15': 'pre_due_high_value',
  'call_d+7': 'grace_first_call',
  'call_d+30': 'mid_grace',
  'escalation_d+45': 'grace_escalation',
  fix_account: 'account_fix',
  reinstatement_call_30d: 'reinstatement',
  reinstatement_call_180d: 'reinstatement',
  reinstatement_call_365d: 'reinstatement',
  reinstatement_call_closing: 'reinstatement',
};

/** Mid-grace from this many days after the due date: the customer has had a month of reminders. */
const MID_GRACE_FROM_DAY = 30;

/**
 * The purpose of a task step. Plans are configurable, so besides the default steps it reads the
 * step naming the plans use: `call_d-N` (before due), `call_d+N` (grace; mid-grace from D+30),
 * `escalation_…`, `fix_account_N`, `reinstatement_call_…`.
 */
export function callPurposeOf(step: string): CallPurpose {
  const known = Object.hasOwn(CALL_STEPS, step) ? CALL_STEPS[step] : undefined;
  if (known) return known;
  const call = /^call_d([+-])(\d{1,3})$/.exec(step);
  if (call) return call[1] === '-' ? 'pre_due_high_value' : Number(call[2]) >= MID_GRACE_FROM_DAY ? 'mid_grace' : 'grace_first_call';
  if (/^escalation_d\+\d{1,3}$/.test(step)) return 'grace_escalation';
  if (/^fix_account_\d+$/.test(step)) return 'account_fix';
  if (/^reinstatement_call_[a-z0-9_+-]+$/.test(step)) return 'reinstatement';
  throw new RangeError(`no call script for task step ${JSON.stringify(step)}: expected call_d±N, escalation_d+N, fix_account_N or reinstatement_call_…`);
}

const b = (zh: string, en: string): Bilingual => ({ zh, en });

const COMPLIANCE: readonly Bilingual[] = [
  b('只在北京时间 09:00–21:00 致电；客户要求另约时间的，按客户要求。', 'Call only between 09:00 and 21:00 Beijing time; if the customer asks for another time, call then.'),
  b('开场报明姓名、工号、公司和来电目的；确认对方是投保人本人后再谈保单内容，不向任何其他人透露保单信息。', 'Say your name, staff number, company and why you are calling; discuss the policy only once you know you are speaking to the policyholder, and tell no one else about it.'),
  b('只拨打系统中已核实的投保人电话；客户提供的新号码须先经保全变更登记后才能使用。', 'Call only the verified number on file; a new number the customer gives can be used only after a servicing change records it.'),
  b('这是服务提醒，不是催收：未缴的续期保费不是债务，不说“欠款”“逾期”“催收”之类的话，不施压、不威胁、不夸大后果。', 'This is a service reminder, not debt collection: an unpaid renewal premium is not a debt. Do not call it a debt or overdue, and never pressure, threaten or overstate the consequences.'),
  b('不推销任何产品，不劝客户退保，也不以减额交清等为由引导“退旧买新”。', 'Do not sell anything, do not urge a surrender, and never use reduced paid-up or anything else as a reason to replace the policy with a new one.'),
  b('保费只能缴入公司账户，且须来自投保人、被保险人或受益人本人账户；不得代收、代缴保费，不得收取超过1000元的现金。', "Premiums go only into the company's account, from the policyholder's, insured's or beneficiary's own account; never collect or pay a premium for the customer, and never take more than RMB 1,000 in cash."),
  b('使用公司指定电话（全程录音）。通话后记录结果代码；客户表示不再缴费的，同时记录未缴原因代码。任务结果中不写入任何个人信息。', "Use the company's recorded line. After the call record the outcome code, and when the customer declines to pay, the non-payment reason code. Put no personal data in the task outcome."),
];

const ORPHAN_NOTICE = b(
  '原服务人员已离职：告知客户这一情况、保单目前的状态，以及今后由谁、通过什么方式为其提供服务。',
  'The former adviser has left: tell the customer so, the state of the policy, and who will serve them from now on and how.',
);

const OUTCOMES: readonly { code: TaskOutcome; when: Bilingual }[] = [
  { code: 'reached', when: b('已与投保人本人通话并告知情况，但尚无缴费承诺。', 'Spoke to the policyholder and explained, with no commitment to pay yet.') },
  { code: 'no_answer', when: b('无人接听或无法接通；不在语音信箱或向他人留下保单信息。', 'No answer or not reachable; leave no policy details on voicemail or with anyone else.') },
  { code: 'wrong_number', when: b('号码不属于投保人本人：不透露任何信息，结束通话，号码交由核实。', "The number is not the policyholder's: disclose nothing, end the call; the number goes for checking.") },
  { code: 'promised', when: b('客户承诺在某日前缴费：同时登记承诺缴费日期，在此之前暂停提醒。', 'The customer promised to pay by a date: also record the promised date; reminders pause until then.') },
  { code: 'refused', when: b('客户表示不再缴费：同时记录未缴原因代码（1–12）。', 'The customer declines to pay: also record the non-payment reason code (1–12).') },
  { code: 'account_fixed', when: b('缴费账户问题已通过保全变更解决（或已提交变更）。', 'The payment account problem is fixed through a servicing change (or the change is submitted).') },
  { code: 'done', when: b('已通过公司官方渠道缴费，或确认已缴，无需进一步跟进。', 'Paid through an official channel, or confirmed already paid: nothing more to follow up.') },
  { code: 'paid_elsewhere', when: b('客户称已通过其他途径缴费（柜面、转账）但系统未见到账：交由运营核实款项。', 'The customer says they paid another way (a counter, a transfer) that is not on record yet: operations check for the payment.') },
];

interface PurposeScript {
  caller: 'agent' | 'team_lead';
  title: Bilingual;
  opening: Bilingual[];
  keyPoints: Bilingual[];
}

const IDENTIFY = b(
  '您好，我是××保险公司的服务人员（姓名、工号）。请问您是保单投保人本人吗？',
  'Hello, this is [name, staff number] from [company]. Am I speaking with the policyholder?',
);

const PURPOSES: Readonly<Record<CallPurpose, PurposeScript>> = {
  pre_due_high_value: {
    caller: 'agent',
    title: b('缴费前提醒电话（高额保单）', 'Pre-due reminder call (high-value policy)'),
    opening: [IDENTIFY, b('确认身份后：来电是提醒您保单的续期保费即将到期，大约占用您两分钟。', 'Once confirmed: I am calling to remind you that your renewal premium will soon be due; it will take about two minutes.')],
    keyPoints: [
      b('核对保单号、应缴保费金额、应缴日期和扣款日期（见任务详情）。', 'Go through the policy number, premium, due date and debit date (in the task).'),
      b('确认授权扣款账户仍在使用、扣款日前余额充足、单笔或单日限额不低于保费。', 'Check the authorised account is still in use, will hold enough on the debit date, and has no per-debit or daily limit below the premium.'),
    ],
  },
  grace_first_call: {
    caller: 'agent',
    title: b('宽限期首次跟进电话', 'First grace-period call'),
    opening: [IDENTIFY, b('确认身份后：您保单的续期保费我们尚未收到，保单目前处于宽限期，宽限期内保障继续有效。', 'Once confirmed: we have not yet received your renewal premium; the policy is in its grace period and cover continues meanwhile.')],
    keyPoints: [
      b('说明应缴保费、宽限期届满日以及下一次扣款日期（见任务详情）。', 'Explain the premium, the last day of grace and the next debit date (in the task).'),
      b('了解未能扣款的原因，按原因给出处理办法（见下文）。', 'Find out why the debit did not go through and give the remedy for that reason (below).'),
      b('客户愿意缴费的，约定具体日期并登记为承诺缴费。', 'If the customer will pay, agree a date and record it as a promise to pay.'),
    ],
  },
  mid_grace: {
    caller: 'agent',
    title: b('宽限期中期跟进电话', 'Mid-grace call'),
    opening: [IDENTIFY, b('确认身份后：您保单的续期保费仍未收到，宽限期将于任务所示日期届满，想和您确认一下缴费安排。', 'Once confirmed: your renewal premium has still not been received and the grace period ends on the date in the task; I would like to agree how you will pay.')],
    keyPoints: [
      b('说明宽限期届满日，以及届满后保单效力中止、中止期间发生的事故不予赔付。', 'Explain the last day of grace, that the policy is suspended after it, and that events during suspension are not covered.'),
      b('了解不缴费的真实原因；如客户决定不再缴费，尊重其决定并记录原因代码。', 'Find out the real reason; if the customer decides not to continue, respect that and record the reason code.'),
    ],
  },
  grace_escalation: {
    caller: 'team_lead',
    title: b('宽限期升级跟进（团队主管）', 'Grace-period escalation (team lead)'),
    opening: [
      b('您好，我是××保险公司的团队主管（姓名、工号）。请问您是保单投保人本人吗？', 'Hello, this is [name, staff number], team lead at [company]. Am I speaking with the policyholder?'),
      b('确认身份后：您的续期保费宽限期即将届满，我们之前的提醒可能没有联系到您，想确认您是否了解保单的情况。', 'Once confirmed: your grace period is ending soon and our earlier reminders may not have reached you; I want to make sure you know where the policy stands.'),
    ],
    keyPoints: [
      b('先查看任务中的联系记录：已发送的提醒、通话结果、扣款失败原因、号码是否被标记。', 'First read the contact history in the task: reminders sent, call outcomes, debit failure reasons, any flag on the number.'),
      b('确保客户了解：宽限期届满次日零时起效力中止；中止后两年内可申请复效，需健康告知并补交保费及利息。', 'Make sure the customer knows: suspension starts at 00:00 after the last day of grace; reinstatement within two years needs a health declaration and the back premiums with interest.'),
      b('客户决定不再缴费的，不争辩，记录原因代码。', 'If the customer decides not to continue, do not argue; record the reason code.'),
    ],
  },
  account_fix: {
    caller: 'agent',
    title: b('缴费账户处理电话', 'Payment account call'),
    opening: [IDENTIFY, b('确认身份后：您保单的授权扣款账户目前无法扣款，需要您处理一下，才能继续扣缴续期保费。', 'Once confirmed: the authorised account for your policy cannot be debited at the moment, and needs your attention before the premium can be collected.')],
    keyPoints: [
      b('说明扣款失败的原因（见下文）以及在账户处理好之前暂停扣款。', 'Explain why the debit failed (below) and that debits pause until the account is sorted out.'),
      b('更换缴费账户属于保全变更：须为投保人、被保险人或受益人本人的账户，由客户本人签署授权；不在电话中记录账号。', "Changing the account is a servicing change: it must be the policyholder's, insured's or beneficiary's own account, authorised by the customer personally; do not take the account number on the call."),
    ],
  },
  reinstatement: {
    caller: 'agent',
    title: b('复效服务电话', 'Reinstatement call'),
    opening: [IDENTIFY, b('确认身份后：您的保单目前处于效力中止状态，在任务所示日期前可以申请恢复效力，想向您说明一下办理方式。', 'Once confirmed: your policy is suspended, and you can apply to reinstate it until the date in the task; I would like to explain how.')],
    keyPoints: [
      b('复效条件：投保人提交申请并如实告知被保险人健康状况（不得代客户填写或暗示如何回答），经公司同意后补交保费及利息；公司收到申请后三十日内未明确拒绝的视为同意。', 'Conditions: the policyholder applies and truthfully declares the insured’s health (never fill it in for them or hint at answers); once we agree, the back premiums and interest are paid; no refusal within 30 days of the application counts as agreement.'),
      b('保单自补交保费之日起恢复效力；自杀免责期间自复效之日起重新计算，合同约定的等待期可能重新计算。', 'Cover resumes on the day the back premiums are paid; the suicide exclusion restarts from reinstatement, and a waiting period may restart if the contract says so.'),
      b('申请期限届满仍未复效的，公司有权解除合同并退还现金价值。', 'If the window closes without reinstatement, the company may terminate the contract and refund the cash value.'),
    ],
  },
};

const DEPOSIT = b('在下次扣款日前向授权账户存入足额保费。', 'Deposit the full premium in the authorised account before the next debit date.');
const CHANGE_ACCOUNT = b('通过保全变更更换缴费账户（本人账户、本人签署）。', "Change the payment account through a servicing change (the customer's own account, signed by them).");
const COUNTER_ONLINE = b('到公司柜面或通过公司官方线上渠道缴费。', "Pay at the company's counter or through its official online channels.");
const REDUCED_PAID_UP = b(
  '宽限期届满前，保单有现金价值的，可申请减额交清：保险金额相应减少，此后无需缴费；是否办理由客户决定。',
  'Before grace ends, while the policy has cash value, the customer may apply for reduced paid-up cover: a lower sum insured and no further premiums. It is their choice.',
);
const APPLY_REINSTATEMENT = b('提交复效申请（可由服务人员协助，到柜面办理）。', 'Apply for reinstatement (the adviser can help; at the service counter).');

function aplOption(context: CallContext): Bilingual[] {
  if (context.aplElected === false) return [];
  const text = b(
    '保险费自动垫交：宽限期届满时如现金价值足以支付保费，将按合同自动垫交（视同借款并计息）。',
    'Automatic premium loan: at grace end, if the cash value covers the premium, it is paid as the contract provides (as a loan bearing interest).',
  );
  if (context.aplElected) return [text];
  return [b(`先查看保单是否选择了自动垫交，未选择的不要提及。${text.zh}`, `First check the policy elected it; if not, do not mention it. ${text.en}`)];
}

function optionsFor(purpose: CallPurpose, context: CallContext): Bilingual[] {
  switch (purpose) {
    case 'pre_due_high_value':
      return [DEPOSIT, CHANGE_ACCOUNT, COUNTER_ONLINE];
    case 'grace_first_call':
      return [DEPOSIT, CHANGE_ACCOUNT, COUNTER_ONLINE, ...aplOption(context)];
    case 'mid_grace':
    case 'grace_escalation':
      return [DEPOSIT, CHANGE_ACCOUNT, COUNTER_ONLINE, ...aplOption(context), REDUCED_PAID_UP];
    case 'account_fix':
      return [CHANGE_ACCOUNT, b('账户被冻结、挂失或休眠的，请客户联系开户银行解除后告知我们。', 'If the account is frozen, reported lost or dormant, the customer asks the bank to lift it and tells us.'), COUNTER_ONLINE];
    case 'reinstatement':
      return [APPLY_REINSTATEMENT, b('暂不复效的，可在申请期限内另行决定。', 'If not now, the customer can still decide later within the window.')];
  }
}

/** What the last debit failure means for the caller, by normalised reason. */
function debitReasonPoint(reason: DebitReason): Bilingual {
  switch (reason) {
    case 'INSUFFICIENT_FUNDS':
      return b('上次扣款因余额不足未成功：提醒在下次扣款日前存入足额保费。', 'The last debit failed for lack of funds: ask for a deposit before the next debit date.');
    case 'LIMIT_EXCEEDED':
      return b('上次扣款超出账户限额：请客户提高限额或更换账户。', "The last debit exceeded the account's limit: the customer raises it or changes account.");
    case 'ACCOUNT_CLOSED':
    case 'ACCOUNT_INVALID':
      return b('账户已销户或无效：需要更换缴费账户，在此之前暂停扣款。', 'The account is closed or invalid: a new account is needed; debits pause until then.');
    case 'ACCOUNT_FROZEN':
    case 'CARD_LOST':
    case 'DORMANT':
    case 'EXPIRED':
      return b('账户被冻结、挂失、休眠或卡片过期：请客户联系开户银行处理，或更换账户。', 'The account is frozen, reported lost, dormant or expired: the customer contacts the bank, or changes account.');
    case 'NAME_MISMATCH':
    case 'ID_MISMATCH':
      return b('户名或证件信息与银行不一致，通常是我方资料问题：不要责怪客户，请其配合核实，由保全更正。', 'Name or ID does not match the bank, usually our data: do not blame the customer; ask them to help check, and servicing corrects it.');
    case 'NO_MANDATE':
    case 'MANDATE_REVOKED':
      return b('代扣授权缺失或已撤销：需要客户重新签署授权。', 'The debit authorisation is missing or revoked: the customer signs a new one.');
    case 'REFUSED_BY_DEBTOR':
      return b('扣款被拒付：了解原因，尊重客户选择的缴费方式。', "The debit was refused: ask why, and respect the customer's choice of how to pay.");
    case 'BANK_ERROR':
    case 'TIMEOUT':
    case 'UNKNOWN':
      return b('银行处理原因，不是客户的问题：告知我们会再次扣款，客户无需操作。', "A bank-side problem, not the customer's: we will retry, nothing is needed from them.");
  }
}

interface ObjectionScript {
  handling: readonly Bilingual[];
  reason?: NonPaymentReasonCode;
}

const FINANCIAL_DIFFICULTY: readonly Bilingual[] = [
  b('不施压；说明可在宽限期内稍后缴费（可约定日期），以及自动垫交（如已选择）、减额交清、效力中止后两年内复效等选择。', 'No pressure: explain they can pay later within grace (agree a date), and the options of the automatic premium loan (if elected), reduced paid-up, and reinstatement within two years of suspension.'),
  b('如产品允许，可通过保全申请自下一期起变更缴费频率。', 'If the product allows, the payment frequency can be changed from the next period through servicing.'),
];

const OBJECTIONS: Readonly<Record<Objection, ObjectionScript>> = {
  1: {
    reason: 1,
    handling: [
      b('了解保费目前由谁缴纳；单位已停止缴费（如已离职）的，说明投保人可以继续以本人账户缴费，并协助办理账户变更。', 'Find out who pays now; if the employer stopped (e.g. the customer left), explain the policyholder can keep paying from their own account and help change it.'),
    ],
  },
  2: {
    reason: 2,
    handling: [
      b('耐心听取不满之处，按合同如实说明保障内容，不作合同以外的承诺，不介绍其他产品。', 'Listen, explain the cover truthfully from the contract, promise nothing beyond it, and do not bring up other products.'),
      b('客户仍决定不缴费的，如实说明减额交清、复效和退保损失等选择，尊重其决定。', 'If they still decide not to pay, set out reduced paid-up, reinstatement and the loss on surrender truthfully, and respect the decision.'),
    ],
  },
  3: {
    reason: 3,
    handling: [
      b('请客户通过公司官方客服热线、官网或柜面核实您的身份和保单情况；提醒保费只缴入公司账户，绝不转入个人账户。', "Invite the customer to check who you are and the policy through the company's official hotline, website or counter; remind them premiums go only to the company's account, never a personal one."),
    ],
  },
  4: {
    reason: 4,
    handling: [
      b('致歉并听取具体意见，通过公司投诉渠道登记；客户希望更换服务人员的，转团队主管安排。', 'Apologise, hear the details and log them through the complaints channel; if the customer wants another adviser, pass it to the team lead.'),
    ],
  },
  5: {
    reason: 5,
    handling: [
      b('不评论理赔结论，告知理赔复核和投诉渠道；说明续期缴费与理赔争议相互独立，保障是否继续由客户决定。', 'Do not comment on the claim decision; give the claim review and complaints channels; explain that renewal and the claim dispute are separate, and whether to keep the cover is the customer’s choice.'),
    ],
  },
  6: {
    reason: 6,
    handling: [
      b('体谅客户的处境，不追问细节；询问方便的回电时间，如实介绍可选的缴费安排。', "Be considerate and do not probe; ask when it would suit to call back, and set out the payment options truthfully."),
    ],
  },
  7: {
    reason: 7,
    handling: [
      b('认真对待，不争辩、不辩解；记录客户反映的情况并转团队主管和投诉渠道复核；不承诺退费或任何处理结果。', "Take it seriously: do not argue or defend; note what the customer reports and pass it to the team lead and complaints for review; promise no refund or outcome."),
    ],
  },
  8: { reason: 8, handling: FINANCIAL_DIFFICULTY },
  9: {
    reason: 9,
    handling: [
      b('与投保人本人沟通，规则与其他客户相同；提醒业务员不得代他人缴纳保费。', "Speak to the policyholder in person, under the same rules as any customer; remind them that agents may not pay other people's premiums."),
    ],
  },
  10: {
    reason: 10,
    handling: [
      b('不贬低其他公司；仅就客户现有合同如实说明：退保可能损失现金价值，新保单可能需要重新核保、重新计算等待期。尊重客户决定。', 'Do not disparage other insurers; speak only about the existing contract: surrender may lose value, and a new policy may need new underwriting and a new waiting period. Respect the decision.'),
    ],
  },
  11: {
    reason: 11,
    handling: [b('听取并复述客户的原因以确认理解；需要时转团队主管。', "Listen, and repeat the customer's reason back to confirm it; pass to the team lead if needed.")],
  },
  12: {
    reason: 12,
    handling: [
      b('多次无人接听或号码有误：只使用系统中已核实的联系方式，不向邻居、亲属或单位打听保单事宜；结果记为无人接听或号码错误，由运营核实联系方式。', "Repeatedly no answer or a wrong number: use only verified contact points on file, never ask neighbours, relatives or employers about the policy; record no_answer or wrong_number, and operations check the contact details."),
    ],
  },
  forgot: {
    handling: [
      b('告知应缴金额、扣款日期和宽限期届满日，请客户确认缴费方式并约定日期。', 'Give the amount, the debit date and the last day of grace; agree how and by when the customer will pay.'),
    ],
  },
  account_changed: {
    handling: [
      b('协助通过保全变更登记新的本人账户并签署扣款授权；变更提交后结果记为账户已处理。', "Help register the customer's own new account and sign the debit authorisation through servicing; once submitted, record account_fixed."),
    ],
  },
  // The same as reason code 8, by the name callers use for it.
  financial_difficulty: { reason: 8, handling: FINANCIAL_DIFFICULTY },
  wants_to_surrender: {
    handling: [
      b('如实说明：退保即合同终止、保障结束，公司在收到申请后30日内退还现金价值，早期现金价值可能远低于已缴保费；以后重新投保可能需要重新核保。', 'Explain truthfully: surrender ends the contract and the cover; the cash value is refunded within 30 days of the request and in early years may be far below the premiums paid; new cover later may need new underwriting.'),
      b('可介绍适用的其他选择（宽限期内：减额交清、自动垫交（如已选择）；效力中止后：复效），但是否退保完全由客户决定，不劝阻、不设障碍；退保须由投保人本人到柜面或官方渠道申请。', 'Mention the alternatives that apply (in grace: reduced paid-up, the automatic premium loan if elected; once suspended: reinstatement), but the decision is entirely the customer’s: do not obstruct; surrender is applied for by the policyholder at the counter or an official channel.'),
      b('客户提到有离职业务员或他人建议退保、转投新保单的，记录并上报团队主管。', 'If the customer says a former agent or anyone else advised surrendering or switching to a new policy, note it and report to the team lead.'),
      b('询问客户不再缴费的原因，按原因代码记录。', 'Ask why the customer no longer wishes to pay and record the matching reason code.'),
    ],
  },
  already_paid: {
    handling: [
      b('询问缴费日期和方式（柜面、线上、转账），不索要账号；在系统中查询，查不到的请客户提供收据编号，交运营核对。', 'Ask when and how they paid (counter, online, transfer) without asking for account numbers; check the system, and if not found, ask for the receipt reference and pass it to operations to reconcile.'),
    ],
  },
};

function isObjection(value: unknown): value is Objection {
  return (typeof value === 'number' && (NON_PAYMENT_REASON_CODES as number[]).includes(value)) || (typeof value === 'string' && (COMMON_OBJECTIONS as readonly string[]).includes(value));
}

/**
 * The script for a call task: by its plan step (see callPurposeOf), fitted to the objection the
 * customer raised and, when given, what the task knows of the case. Unknown steps or objections
 * are errors naming them.
 */
export function callScriptFor(step: string, objection?: Objection, context: CallContext = {}): CallScript {
  const purpose = callPurposeOf(step);
  if (objection !== undefined && !isObjection(objection)) {
    throw new RangeError(`no call script for objection ${JSON.stringify(objection)}: expected a reason code 1–12 or one of ${COMMON_OBJECTIONS.join(', ')}`);
  }
  const base = PURPOSES[purpose];
  const handling = objection === undefined ? undefined : OBJECTIONS[objection];
  const keyPoints = [...base.keyPoints];
  if (context.debitReason && purpose !== 'reinstatement') keyPoints.push(debitReasonPoint(context.debitReason));
  const script: CallScript = {
    id: objection === undefined ? purpose : `${purpose}/${String(objection)}`,
    version: CALL_SCRIPTS_VERSION,
    step,
    purpose,
    // An orphan policy's calls go to the team lead (contact-rules routeCallTask).
    caller: context.orphan ? 'team_lead' : base.caller,
    title: base.title,
    opening: context.orphan ? [...base.opening, ORPHAN_NOTICE] : [...base.opening],
    keyPoints,
    options: optionsFor(purpose, context),
    objectionHandling: [...(handling?.handling ?? [])],
    compliance: [...COMPLIANCE],
    outcomes: [...OUTCOMES],
  };
  if (objection !== undefined) script.objection = objection;
  if (handling?.reason !== undefined) script.nonPaymentReason = handling.reason;
  return script;
}
