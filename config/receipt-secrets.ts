/**
 * The shapes of the secrets delivery receipts are authenticated with (README.md#receipts): checked
 * when they are read, so a mistyped one is refused at start-up, named, and never shown.
 */

/** A push-URL token: 32 or more URL-safe characters, e.g. `openssl rand -hex 32`. */
const RECEIPT_TOKEN = /^[A-Za-z0-9_-]{32,256}$/;

/** WeChat's EncodingAESKey: 43 characters from a-z, A-Z, 0-9 (the base64 of a 32-byte key without its '='). */
const ENCODING_AES_KEY = /^[A-Za-z0-9]{43}$/;

/** Why a receipt token cannot be used, naming the variable and never the value; undefined if it can. */
export function receiptTokenProblem(name: string, value: string): string | undefined {
  if (RECEIPT_TOKEN.test(value)) return undefined;
  return `${name} must be 32 to 256 characters of A-Z, a-z, 0-9, '-' or '_' (it goes in the push URL's path), e.g. from openssl rand -hex 32`;
}

/** Why an EncodingAESKey cannot be used, naming the variable and never the value; undefined if it can. */
export function encodingAesKeyProblem(name: string, value: string): string | undefined {
  if (ENCODING_AES_KEY.test(value)) return undefined;
  return `${name} must be the 43 letters and digits of the account's EncodingAESKey (message encryption key)`;
}

/** WeChat's server-configuration Token: 3 to 32 letters and digits, as the console accepts. */
const SERVER_TOKEN = /^[A-Za-z0-9]{3,32}$/;

export function serverTokenProblem(name: string, value: string): string | undefined {
  if (SERVER_TOKEN.test(value)) return undefined;
  return `${name} must be the 3 to 32 letters and digits of the account's server-configuration Token`;
}
