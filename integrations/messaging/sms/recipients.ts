import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { maskMobile, maskOpenId } from '../../../domain/masking';
import { BAD_ADDRESS } from '../../../domain/provider-failures';
import { ProviderError } from '../port';

export interface Mobile {
  /** '+8613800138000' */
  e164: string;
  /** '86' */
  countryCode: string;
  /** '13800138000' */
  national: string;
}

/**
 * A customer's mobile in the forms the providers want. A number that is not a mobile is a final
 * error for this contact; the message never repeats the number.
 */
export function parseMobile(to: string, provider: string): Mobile {
  const parsed = parsePhoneNumberFromString(to, 'CN');
  const mainlandMobile = parsed?.countryCallingCode === '86' && /^1[3-9]\d{9}$/.test(parsed.nationalNumber);
  if (!parsed || !parsed.isValid() || (parsed.countryCallingCode === '86' && !mainlandMobile)) {
    throw ProviderError.classified(provider, 'LOCAL_INVALID_NUMBER', BAD_ADDRESS, `${provider}: the recipient is not a valid mobile number`);
  }
  return { e164: parsed.number, countryCode: parsed.countryCallingCode, national: parsed.nationalNumber };
}

const LONG_DIGIT_RUN = /\d{7,}/g;
const OPENID_LIKE = /\bo[A-Za-z0-9_-]{27}\b/g;

/**
 * Provider text (error messages) with anything that could be a recipient masked: the recipient
 * itself, any run of 7+ digits (phone numbers) and openid-shaped tokens.
 */
export function withoutPersonalData(text: string, recipient?: string): string {
  let clean = text;
  if (recipient && recipient.length >= 4) clean = clean.split(recipient).join('[recipient]');
  return clean.replace(LONG_DIGIT_RUN, (digits) => maskMobile(digits)).replace(OPENID_LIKE, (id) => maskOpenId(id));
}
