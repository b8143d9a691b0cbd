/**
 * The console's settings, read once by its entry point (scripts/console.ts) from the environment and
 * handed down. Outside RENEWALS_ENV=demo it refuses to start without its own settings, named in the
 * error, and always sends Secure cookies.
 */
import { readOidcConfig, type OidcConfig } from '../config/oidc';

export interface ConsoleSettings {
  environment: 'demo' | 'production';
  databaseUrl: string;
  host: string;
  port: number;
  /** CONSOLE_IDLE_MINUTES: a session unused this long ends (default 30). */
  idleMinutes: number;
  /** Fixed: a session ends this long after sign-in, however busy. */
  absoluteHours: number;
  /** Secure cookies: everywhere but the demo (which is served over plain http on 127.0.0.1). */
  secureCookies: boolean;
  /** CONSOLE_TRUST_PROXY=true: take the client address from X-Forwarded-For (behind the TLS proxy). */
  trustProxy: boolean;
  /** CONSOLE_COLLECTION_TARGETS: the insurer's target collection rates the home chart is drawn against; none when unset. */
  collectionTargets?: CollectionTargets;
  /** RENEWALS_OIDC_*, the CLI's settings (config/oidc.ts): the sign-in page offers the company account; none when unset. */
  oidc?: OidcConfig;
  /**
   * CONSOLE_PUBLIC_URL: the origin people reach the console at, e.g. https://console.example.com; the
   * OIDC redirect URI is it + /sign-in/oidc/callback. Required with OIDC outside the demo; in the demo
   * the request's own host stands in.
   */
  publicUrl?: string;
}

/** Target collection rates in percent at 当月, 次月 and 宽末 (docs/architecture.md#console). */
export interface CollectionTargets {
  due_month: number;
  next_month: number;
  grace_end_month: number;
}

/** `85,92,95`: percents at 当月, 次月, 宽末, each above 0 and at most 100, at most two decimals. */
export function parseCollectionTargets(text: string): CollectionTargets {
  const parts = text.split(',').map((part) => part.trim());
  const valid = parts.length === 3 && parts.every((part) => /^\d{1,3}(\.\d{1,2})?$/.test(part) && Number(part) > 0 && Number(part) <= 100);
  if (!valid) throw new ConsoleSettingsError(`CONSOLE_COLLECTION_TARGETS="${text}" must be three percents for 当月,次月,宽末, e.g. 85,92,95 (each above 0, at most 100)`);
  const [dueMonth, nextMonth, graceEnd] = parts.map(Number) as [number, number, number];
  return { due_month: dueMonth, next_month: nextMonth, grace_end_month: graceEnd };
}

export const DEFAULT_CONSOLE_PORT = 8080;
export const DEFAULT_IDLE_MINUTES = 30;
export const ABSOLUTE_HOURS = 8;

export class ConsoleSettingsError extends Error {
  override name = 'ConsoleSettingsError';
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new ConsoleSettingsError(`${name}="${text}" must be a whole number from 1 to ${max}`);
  return Number(text);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An origin only (scheme, host, port): https, or http in the demo or on this machine. */
function parsePublicUrl(text: string, demo: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConsoleSettingsError(`CONSOLE_PUBLIC_URL="${text}" is not a URL: give the console's address as people open it, e.g. https://console.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConsoleSettingsError(`CONSOLE_PUBLIC_URL must be an https:// URL (got ${url.protocol})`);
  if (url.protocol === 'http:' && !demo && !LOOPBACK_HOSTS.has(url.hostname)) throw new ConsoleSettingsError('CONSOLE_PUBLIC_URL must be https:// outside RENEWALS_ENV=demo');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConsoleSettingsError('CONSOLE_PUBLIC_URL must be an origin only (scheme, host and port): no path, query, fragment or credentials');
  }
  return url.origin;
}

export function readConsoleSettings(env: NodeJS.ProcessEnv): ConsoleSettings {
  const environment = env.RENEWALS_ENV === 'demo' ? 'demo' : 'production';
  if (environment === 'production') {
    // A production console is reached through a TLS proxy, so it must be told where it listens and
    // that it sits behind one; none of these has a default there.
    const missing = ['DATABASE_URL', 'CONSOLE_HOST', 'CONSOLE_PORT', 'CONSOLE_TRUST_PROXY'].filter((name) => !env[name]);
    if (missing.length > 0) throw new ConsoleSettingsError(`the console refuses to start outside RENEWALS_ENV=demo without ${missing.join(', ')} (README, Console)`);
  }
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new ConsoleSettingsError('DATABASE_URL is not set: the console needs the application login (README, Console)');
  const oidc = readOidcConfig(env);
  const publicUrl = env.CONSOLE_PUBLIC_URL ? parsePublicUrl(env.CONSOLE_PUBLIC_URL, environment === 'demo') : undefined;
  // Outside the demo the redirect URI is never taken from a request's Host header.
  if (oidc && !publicUrl && environment === 'production') throw new ConsoleSettingsError('RENEWALS_OIDC_ISSUER is set but CONSOLE_PUBLIC_URL is not: the console needs its public address for the OIDC redirect URI (README, Console)');
  const trust = env.CONSOLE_TRUST_PROXY ?? 'false';
  if (trust !== 'true' && trust !== 'false') throw new ConsoleSettingsError(`CONSOLE_TRUST_PROXY="${trust}" must be true or false`);
  return {
    environment,
    databaseUrl,
    host: env.CONSOLE_HOST || '127.0.0.1',
    port: wholeNumber(env, 'CONSOLE_PORT', DEFAULT_CONSOLE_PORT, 65_535),
    idleMinutes: wholeNumber(env, 'CONSOLE_IDLE_MINUTES', DEFAULT_IDLE_MINUTES, 24 * 60),
    absoluteHours: ABSOLUTE_HOURS,
    secureCookies: environment !== 'demo',
    trustProxy: trust === 'true',
    ...(env.CONSOLE_COLLECTION_TARGETS ? { collectionTargets: parseCollectionTargets(env.CONSOLE_COLLECTION_TARGETS) } : {}),
    ...(oidc ? { oidc } : {}),
    ...(publicUrl ? { publicUrl } : {}),
  };
}
