/**
 * Signing in with the insurer's identity provider (docs/architecture.md#oidc-sign-in): the provider
 * proves who the person is; the user linked to that (issuer, subject) pair gets a personal API token,
 * as a password sign-in would. The user store and the token issuer are passed in, so this file does
 * not depend on how users and tokens are kept. The console's browser sign-in finds its user with
 * `linkedUser` too, and opens a session instead of issuing a token.
 */
import type { OidcConfig } from '../config/oidc';
import { signInWithOidc, type AuthorizationUrlOpener, type OidcIdentity } from '../integrations/oidc';
import { OperatorError } from './errors';

/** How the user linked to an identity is found, and whether they may sign in (CLI and console alike). */
export interface OidcUserLookup<User> {
  findUserBySubject(issuer: string, subject: string): Promise<User | undefined>;
  /** True for a user who may not sign in (e.g. disabled); absent: every linked user may. */
  isRefused?(user: User): boolean;
}

export interface OidcSignInDeps<User extends { id: unknown }, Token> extends OidcUserLookup<User> {
  issueToken(userId: User['id']): Promise<Token>;
}

export interface OidcSignedIn<User, Token> {
  user: User;
  token: Token;
}

/** No user is linked to the identity the provider vouched for; `identity` is for the administrator. */
export class UnlinkedOidcSubjectError extends OperatorError {
  constructor(readonly identity: OidcIdentity) {
    super('OIDC sign-in refused: the identity provider vouched for a subject that no user is linked to; an administrator must link it to a user first');
    this.name = 'UnlinkedOidcSubjectError';
  }
}

/** The linked user may not sign in (disabled). */
export class RefusedOidcUserError extends OperatorError {
  constructor() {
    super('OIDC sign-in refused: the user linked to this identity may not sign in (disabled); ask an administrator');
    this.name = 'RefusedOidcUserError';
  }
}

/** The user linked to the identity the provider vouched for; unknown subjects and refused users throw. */
export async function linkedUser<User>(deps: OidcUserLookup<User>, identity: OidcIdentity): Promise<User> {
  const user = await deps.findUserBySubject(identity.issuer, identity.subject);
  if (user === undefined) throw new UnlinkedOidcSubjectError(identity);
  if (deps.isRefused?.(user) === true) throw new RefusedOidcUserError();
  return user;
}

/** Signs the person in through the provider and issues a token to the linked user; unknown subjects are refused. */
export async function oidcSignIn<User extends { id: unknown }, Token>(
  deps: OidcSignInDeps<User, Token>,
  config: OidcConfig,
  opener: AuthorizationUrlOpener,
): Promise<OidcSignedIn<User, Token>> {
  const user = await linkedUser(deps, await signInWithOidc(config, opener));
  return { user, token: await deps.issueToken(user.id) };
}
