/** Who is calling `/manage`: an Entra ID user, or the local dev admin. */
export interface ManagePrincipal {
  /** Entra object id (`oid`), or `dev-admin` for the local dev admin token. */
  readonly userId: string;
  readonly email: string | undefined;
  readonly name: string | undefined;
  readonly kind: 'entra' | 'devAdmin';
}

/** Turns a bearer token into a principal; rejects with an UnauthorizedError when the token is not acceptable. */
export interface ManageTokenVerifier {
  verify(token: string): Promise<ManagePrincipal>;
}

export const DEV_ADMIN_USER_ID = 'dev-admin';

/**
 * A bearer token that cannot be accepted (bad signature, wrong issuer or audience, expired, missing claims).
 * `reason` is for logs only; clients get a plain 401.
 */
export class TokenRejectedError extends Error {
  constructor(readonly reason: string) {
    super(`Token rejected: ${reason}`);
    this.name = 'TokenRejectedError';
  }
}
