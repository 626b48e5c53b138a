import type { Clock } from '../domain/clock.js';
import type { DigitalTwinConsent } from '../domain/digital-twin-consent.js';
import { NotFoundError } from '../domain/errors.js';
import type { ManagePrincipal } from '../domain/identity.js';
import type { Organization } from '../domain/organization.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import { checkIfMatch, withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import type { OrganizationAccess } from './organization-access.js';

/** The consent as shown to members, with the organization's ETag (the consent is part of that document). */
export interface DigitalTwinConsentView {
  readonly granted: boolean;
  readonly grantedBy?: string | undefined;
  readonly grantedAt?: string | undefined;
  readonly etag: string;
}

/**
 * How long one instance trusts what it read. Twin creation then costs no store read while warm, and a withdrawal
 * holds everywhere within this time (at once on the instance that recorded it).
 */
export const CONSENT_CACHE_TTL_MS = 5_000;
const CONSENT_CACHE_MAX_ENTRIES = 10_000;

export interface DigitalTwinConsentServiceDeps {
  readonly access: OrganizationAccess;
  readonly organizations: OrganizationRepository;
  readonly clock: Clock;
}

function viewOf(org: Organization): DigitalTwinConsentView {
  const consent = org.digitalTwinConsent;
  return consent === undefined
    ? { granted: false, etag: org.etag }
    : { granted: true, grantedBy: consent.grantedBy, grantedAt: consent.grantedAt, etag: org.etag };
}

/** An organization admin's one-time consent to digital twins: members read it, admins give and withdraw it. */
export class DigitalTwinConsentService {
  private readonly cache = new Map<string, { granted: boolean; expiresAt: number }>();

  constructor(private readonly deps: DigitalTwinConsentServiceDeps) {}

  async get(principal: ManagePrincipal, orgId: string): Promise<DigitalTwinConsentView> {
    await this.deps.access.requireMember(principal, orgId);
    return viewOf(await this.organizationOf(orgId));
  }

  /** Idempotent: consent that already stands keeps its original admin and time. */
  async grant(principal: ManagePrincipal, orgId: string, ifMatch: string | undefined): Promise<DigitalTwinConsentView> {
    await this.deps.access.requireAdmin(principal, orgId);
    const consent: DigitalTwinConsent = { grantedBy: principal.userId, grantedAt: this.deps.clock.now().toISOString() };
    return this.change(orgId, ifMatch, (current) => current ?? consent);
  }

  async withdraw(principal: ManagePrincipal, orgId: string, ifMatch: string | undefined): Promise<void> {
    await this.deps.access.requireAdmin(principal, orgId);
    await this.change(orgId, ifMatch, () => undefined);
  }

  /** Whether the organization of an API key may create digital twins: one point read, or none while cached. */
  async isGranted(orgId: string): Promise<boolean> {
    const now = this.deps.clock.now().getTime();
    const cached = this.cache.get(orgId);
    if (cached !== undefined && cached.expiresAt > now) return cached.granted;
    const org = await this.deps.organizations.get(orgId);
    const granted = org?.digitalTwinConsent !== undefined;
    this.remember(orgId, granted);
    return granted;
  }

  private async change(
    orgId: string,
    ifMatch: string | undefined,
    next: (current: DigitalTwinConsent | undefined) => DigitalTwinConsent | undefined,
  ): Promise<DigitalTwinConsentView> {
    const saved = await withOptimisticRetry(async () => {
      const current = await this.organizationOf(orgId);
      checkIfMatch(ifMatch, current.etag);
      const consent = next(current.digitalTwinConsent);
      if (consent === current.digitalTwinConsent) return current;
      return writeOrRetry(() =>
        this.deps.organizations.replace({
          ...current,
          digitalTwinConsent: consent,
          updatedAt: this.deps.clock.now().toISOString(),
        }),
      );
    });
    this.remember(orgId, saved.digitalTwinConsent !== undefined);
    return viewOf(saved);
  }

  private remember(orgId: string, granted: boolean): void {
    if (this.cache.size >= CONSENT_CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(orgId, { granted, expiresAt: this.deps.clock.now().getTime() + CONSENT_CACHE_TTL_MS });
  }

  private async organizationOf(orgId: string): Promise<Organization> {
    const org = await this.deps.organizations.get(orgId);
    if (org === undefined) throw new NotFoundError('Organization');
    return org;
  }
}
