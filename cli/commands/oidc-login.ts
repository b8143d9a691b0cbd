/**
 * `renewals login --oidc` (docs/architecture.md#oidc-sign-in): the body of the command, for the login
 * command to call with its user store, token issuer and token file writer. It prints the address to
 * open in a browser, waits for the provider to send the browser back, and stores the token issued.
 */
import { readOidcConfig, type OidcConfig } from '../../config/oidc';
import { SettingsError } from '../../config/settings-error';
import { OperatorError } from '../../application/errors';
import { oidcSignIn, UnlinkedOidcSubjectError, type OidcSignInDeps } from '../../application/oidc-sign-in';
import { OidcSignInError, type AuthorizationUrlOpener } from '../../integrations/oidc';
import { CliError } from '../errors';

/** The same exit code as any command refused for want of an authenticated user. */
export const EXIT_NOT_SIGNED_IN = 4;

export interface OidcLoginOptions<User, Token> {
  /** Stores the token for later commands (e.g. the 0600 token file) and says where, for the person. */
  saveToken(token: Token, user: User): Promise<string>;
  /** Defaults: the environment, and printing the address on stderr. */
  config?: OidcConfig;
  opener?: AuthorizationUrlOpener;
  err?: NodeJS.WritableStream;
  out?: NodeJS.WritableStream;
}

export async function runOidcLogin<User extends { id: unknown }, Token>(deps: OidcSignInDeps<User, Token>, options: OidcLoginOptions<User, Token>): Promise<User> {
  const err = options.err ?? process.stderr;
  const out = options.out ?? process.stdout;
  const config = options.config ?? oidcConfigOrExit();
  const opener = options.opener ?? ((url: URL) => void err.write(`Open this address in a browser to sign in (waiting ${config.timeoutMs / 1000} s):\n  ${url.href}\n`));
  try {
    const { user, token } = await oidcSignIn(deps, config, opener);
    const where = await options.saveToken(token, user);
    out.write(`Signed in through ${config.issuer}; token saved to ${where}\n`);
    return user;
  } catch (error) {
    if (error instanceof UnlinkedOidcSubjectError) {
      // For the person to hand to an administrator: their own identifier at the provider, on their own terminal only.
      err.write(`issuer:  ${error.identity.issuer}\nsubject: ${error.identity.subject}\n`);
      throw new CliError(error.message, EXIT_NOT_SIGNED_IN);
    }
    if (error instanceof OidcSignInError || error instanceof OperatorError) throw new CliError(error.message, EXIT_NOT_SIGNED_IN);
    throw error;
  }
}

function oidcConfigOrExit(): OidcConfig {
  let config: OidcConfig | undefined;
  try {
    config = readOidcConfig();
  } catch (error) {
    if (error instanceof SettingsError) throw new CliError(error.message, 2);
    throw error;
  }
  if (config === undefined) throw new CliError('OIDC sign-in is off: set RENEWALS_OIDC_ISSUER and RENEWALS_OIDC_CLIENT_ID (docs/architecture.md#oidc-sign-in)', 2);
  return config;
}
