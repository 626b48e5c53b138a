import { describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError, PreconditionFailedError } from '../../../shared/domain/errors.js';
import { quoteEtag } from '../../../shared/domain/etag.js';
import { CONSENT_CACHE_TTL_MS, DigitalTwinConsentService } from '../../../shared/services/digital-twin-consent-service.js';
import { createTestWorld, entraUser, seedOrganization } from '../fakes/test-services.js';

describe('digital twin consent', () => {
  it('an admin gives consent once, recording who and when; members read it; members cannot give it', async () => {
    const world = createTestWorld();
    const { org, admin, member } = await seedOrganization(world);

    await expect(world.services.digitalTwinConsent.get(member, org.id)).resolves.toMatchObject({ granted: false });
    await expect(world.services.digitalTwinConsent.grant(member, org.id, undefined)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.digitalTwinConsent.get(entraUser('stranger'), org.id)).rejects.toBeInstanceOf(NotFoundError);

    const granted = await world.services.digitalTwinConsent.grant(admin, org.id, undefined);
    expect(granted).toMatchObject({ granted: true, grantedBy: admin.userId, grantedAt: world.clock.now().toISOString() });
    world.clock.advance(60_000);
    const again = await world.services.digitalTwinConsent.grant(admin, org.id, undefined);
    expect(again).toEqual(granted);
    await expect(world.services.digitalTwinConsent.get(member, org.id)).resolves.toEqual(granted);
    await expect(world.services.digitalTwinConsent.withdraw(member, org.id, undefined)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('a stale If-Match is refused with 412', async () => {
    const world = createTestWorld();
    const { org, admin } = await seedOrganization(world);
    const before = await world.services.digitalTwinConsent.get(admin, org.id);
    await world.services.organizations.update(admin, org.id, { name: 'Renamed' }, undefined);
    await expect(world.services.digitalTwinConsent.grant(admin, org.id, quoteEtag(before.etag))).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });

  it('renaming the organization keeps the consent', async () => {
    const world = createTestWorld();
    const { org, admin } = await seedOrganization(world);
    await world.services.digitalTwinConsent.grant(admin, org.id, undefined);
    await world.services.organizations.update(admin, org.id, { name: 'Renamed' }, undefined);
    await expect(world.services.digitalTwinConsent.get(admin, org.id)).resolves.toMatchObject({ granted: true });
  });

  it('a withdrawal holds at once on the instance that recorded it and within seconds on every other instance', async () => {
    const world = createTestWorld();
    const { org, admin } = await seedOrganization(world);
    const otherInstance = new DigitalTwinConsentService({ access: world.services.access, organizations: world.organizations, clock: world.clock });
    await world.services.digitalTwinConsent.grant(admin, org.id, undefined);
    expect(await otherInstance.isGranted(org.id)).toBe(true);

    await world.services.digitalTwinConsent.withdraw(admin, org.id, undefined);
    expect(await world.services.digitalTwinConsent.isGranted(org.id)).toBe(false);
    world.clock.advance(CONSENT_CACHE_TTL_MS + 1);
    expect(await otherInstance.isGranted(org.id)).toBe(false);
    await expect(world.services.digitalTwinConsent.get(admin, org.id)).resolves.toMatchObject({ granted: false });
  });

  it('while warm, checking consent reads the organization at most once per cache period', async () => {
    const world = createTestWorld();
    const { org, admin } = await seedOrganization(world);
    await world.services.digitalTwinConsent.grant(admin, org.id, undefined);
    const otherInstance = new DigitalTwinConsentService({ access: world.services.access, organizations: world.organizations, clock: world.clock });
    const before = world.organizations.table.operations;
    for (let i = 0; i < 5; i += 1) expect(await otherInstance.isGranted(org.id)).toBe(true);
    expect(world.organizations.table.operations - before).toBe(1);
  });
});
