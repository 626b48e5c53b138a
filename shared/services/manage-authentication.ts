import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../domain/errors.js';
import {
  DEV_ADMIN_USER_ID,
  TokenRejectedError,
  type ManagePrincipal,
  type ManageTokenVerifier,
} from '../domain/identity.js';
import type { Logger } from '../domain/logger.js';

export interface ManageAuthenticationOptions {
  /** Local only: a bearer token that signs in as the dev admin. */
  readonly devAdminToken: string | undefined;
  /** Entra ID token validation; absent when MANAGE_AUTH_ISSUER is not configured. */
  readonly verifier: ManageTokenVerifier | undefined;
  readonly logger: Logger;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Turns the `/manage` bearer token into a principal: the local dev admin token, else an Entra ID token. */
export class ManageAuthentication {
  private readonly devAdminDigest: Buffer | undefined;

  constructor(private readonly options: ManageAuthenticationOptions) {
    this.devAdminDigest = options.devAdminToken === undefined ? undefined : digest(options.devAdminToken);
  }

  async authenticate(bearerToken: string | undefined): Promise<ManagePrincipal> {
    if (bearerToken === undefined || bearerToken === '') {
      throw new UnauthorizedError('Unauthorized', 'A bearer token is required (Authorization: Bearer <token>).');
    }
    // Comparing digests keeps the comparison constant-time even when the lengths differ.
    if (this.devAdminDigest !== undefined && timingSafeEqual(digest(bearerToken), this.devAdminDigest)) {
      return { userId: DEV_ADMIN_USER_ID, email: undefined, name: 'Dev admin', kind: 'devAdmin' };
    }
    if (this.options.verifier === undefined) {
      throw new UnauthorizedError('Unauthorized', 'The bearer token is not valid.');
    }
    try {
      return await this.options.verifier.verify(bearerToken);
    } catch (err) {
      if (err instanceof TokenRejectedError || err instanceof UnauthorizedError) {
        // The reason helps operators; the client learns only that the token was refused.
        this.options.logger.warn('manage token rejected', {
          reason: err instanceof TokenRejectedError ? err.reason : err.code,
        });
        throw new UnauthorizedError('Unauthorized', 'The bearer token is not valid.');
      }
      throw err;
    }
  }
}
