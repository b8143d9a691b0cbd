/**
 * The ways the insurer reaches a customer: one vocabulary for plans, contact rules, templates,
 * adapters and reports. Adding a channel means adding it here, then its adapter
 * (integrations/messaging/), its wiring (workers/), its templates and a migration of the database
 * enums (contact_attempt_channel; contact_channel for a preferred channel).
 */

/** Every channel a contact attempt is made on. A phone contact is a call task for a person. */
export const CONTACT_CHANNELS = ['sms', 'wechat', 'email', 'letter', 'phone'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

/** Channels that carry a written notice (rendered from a template): all but the phone. */
export const NOTICE_CHANNELS = ['sms', 'wechat', 'email', 'letter'] as const satisfies readonly ContactChannel[];
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

/** Notices handed to a text provider or a print house, rather than to the SMTP relay. */
export const TEXT_CHANNELS = ['sms', 'wechat', 'letter'] as const satisfies readonly NoticeChannel[];
export type TextChannel = (typeof TEXT_CHANNELS)[number];

/** The channel a customer prefers (import column preferred_channel). */
export const PREFERRED_CHANNELS = ['sms', 'wechat', 'email', 'phone'] as const satisfies readonly ContactChannel[];
export type PreferredChannel = (typeof PREFERRED_CHANNELS)[number];

/** A plan step names notice channels, or `preferred`: the customer's own, resolved per policy. */
export const PLAN_CHANNELS = ['preferred', ...NOTICE_CHANNELS] as const;
export type PlanChannel = (typeof PLAN_CHANNELS)[number];

/**
 * The notice channel a customer's preference resolves to: WeChat or email as chosen; SMS otherwise
 * (no preference, or the phone: a call is a task, not a notice).
 */
export function preferredNoticeChannel(preferred: PreferredChannel | null): NoticeChannel {
  return preferred === 'wechat' || preferred === 'email' ? preferred : 'sms';
}

/** The kinds of contact point held for a customer (contact_points.type); `postal` is where letters go. */
export const CONTACT_POINT_TYPES = ['mobile', 'email', 'wechat', 'postal'] as const;
export type ContactPointType = (typeof CONTACT_POINT_TYPES)[number];

/** The contact point each channel is sent to; a letter goes to the postal address on file. */
export const CONTACT_POINT_OF: Readonly<Record<Exclude<ContactChannel, 'letter'>, ContactPointType>> = {
  sms: 'mobile',
  phone: 'mobile',
  wechat: 'wechat',
  email: 'email',
};

export function isContactChannel(value: unknown): value is ContactChannel {
  return typeof value === 'string' && (CONTACT_CHANNELS as readonly string[]).includes(value);
}
