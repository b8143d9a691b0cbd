/**
 * Optional OIDC sign-in (docs/architecture.md#oidc-sign-in), configured only from the environment:
 * no RENEWALS_OIDC_ISSUER means OIDC is off. Read on its own (not through readSettings) because only
 * `renewals login --oidc` needs it.
 */
import { SettingsError } from './settings-error';

export interface OidcConfig {
  /** The identity provider's issuer identifier, as its discovery document states it. */
  issuer: string;
  clientId: string;
  /** Absent: a public client, which proves itself with PKCE alone. Never logged or printed. */
  clientSecret?: string;
  /** The loopback port the redirect listener binds on 127.0.0.1; 0 takes any free port. */
  redirectPort: number;
  /** How long to wait for the browser to come back to the redirect listener. */
  timeoutMs: number;
}

const DEFAULT_TIMEOUT_SECONDS = 300;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The other variables, refused without an issuer so a half-done configuration is not silently ignored. */
const DEPENDENT = ['RENEWALS_OIDC_CLIENT_ID', 'RENEWALS_OIDC_CLIENT_SECRET', 'RENEWALS_OIDC_REDIRECT_PORT', 'RENEWALS_OIDC_TIMEOUT_SECONDS'] as const;

/** The OIDC configuration, or undefined when OIDC is off. Bad values throw a SettingsError naming the variable. */
export function readOidcConfig(env: NodeJS.ProcessEnv = process.env): OidcConfig | undefined {
  const value = (name: string): string | undefined => {
    const text = env[name]?.trim();
    return text === '' ? undefined : text;
  };
  const issuerText = value('RENEWALS_OIDC_ISSUER');
  if (issuerText === undefined) {
    const stray = DEPENDENT.filter((name) => value(name) !== undefined);
    if (stray.length > 0) throw new SettingsError(`${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but RENEWALS_OIDC_ISSUER is not: set the issuer to turn OIDC sign-in on, or unset ${stray.length === 1 ? 'it' : 'them'}`);
    return undefined;
  }
  const issuer = parseIssuer(issuerText, env.RENEWALS_ENV === 'demo');
  const clientId = value('RENEWALS_OIDC_CLIENT_ID');
  if (clientId === undefined) throw new SettingsError('RENEWALS_OIDC_CLIENT_ID is not set: OIDC sign-in needs the client id registered with the identity provider');
  const clientSecret = value('RENEWALS_OIDC_CLIENT_SECRET');
  return {
    issuer,
    clientId,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    redirectPort: integer(value('RENEWALS_OIDC_REDIRECT_PORT'), 'RENEWALS_OIDC_REDIRECT_PORT', 0, 65_535, 0, 'a TCP port (1-65535), or 0 for any free port'),
    timeoutMs: integer(value('RENEWALS_OIDC_TIMEOUT_SECONDS'), 'RENEWALS_OIDC_TIMEOUT_SECONDS', 1, 3_600, DEFAULT_TIMEOUT_SECONDS, 'a whole number of seconds from 1 to 3600') * 1_000,
  };
}

function parseIssuer(text: string, demo: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SettingsError('RENEWALS_OIDC_ISSUER is not a URL: give the identity provider\'s issuer, e.g. https://login.example.com/realms/insurer');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SettingsError(`RENEWALS_OIDC_ISSUER must be an https:// URL (got ${url.protocol})`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new SettingsError('RENEWALS_OIDC_ISSUER must not carry a query, a fragment or credentials');
  }
  if (url.protocol === 'http:' && !demo && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new SettingsError('RENEWALS_OIDC_ISSUER must be https:// outside RENEWALS_ENV=demo (plain http:// only for a provider on localhost)');
  }
  // Kept as written: discovery checks it against the issuer the provider's document states.
  return text;
}

function integer(text: string | undefined, name: string, min: number, max: number, fallback: number, expected: string): number {
  if (text === undefined) return fallback;
  const parsed = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) throw new SettingsError(`${name} must be ${expected} (got "${text}")`);
  return parsed;
}
