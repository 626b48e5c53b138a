import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_MANAGEMENT_API_URL, MARKETPLACE_FIRST_PARTY_APP_ID, parseConfig } from '../../../shared/config.js';

const minimal = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', COSMOS_ENDPOINT: 'https://localhost:8081/' };
const GROUP = '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/mrg-companion';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('managed-application metering settings', () => {
  it('is off by default, and off when the template sets false', () => {
    expect(parseConfig(minimal).managedAppMetering).toBeUndefined();
    expect(parseConfig({ ...minimal, MANAGED_APP_METERING: 'false', MANAGED_APP_RESOURCE_GROUP_ID: '' }).managedAppMetering).toBeUndefined();
  });

  it('when on, bills through Resource Manager and the public Marketplace API with its first-party resource', () => {
    expect(parseConfig({ ...minimal, MANAGED_APP_METERING: 'true', MANAGED_APP_RESOURCE_GROUP_ID: GROUP }).managedAppMetering).toEqual({
      managementUrl: DEFAULT_MANAGEMENT_API_URL,
      resourceGroupId: GROUP,
      apiUrl: 'https://marketplaceapi.microsoft.com/api',
      appId: MARKETPLACE_FIRST_PARTY_APP_ID,
    });
  });

  it('when on, requires the resource group id, in its resource id form', () => {
    expect(problemsOf({ ...minimal, MANAGED_APP_METERING: 'true' })).toEqual([expect.stringMatching(/^MANAGED_APP_RESOURCE_GROUP_ID: is required/)]);
    expect(problemsOf({ ...minimal, MANAGED_APP_METERING: 'true', MANAGED_APP_RESOURCE_GROUP_ID: 'mrg-companion' })).toEqual([
      expect.stringMatching(/^MANAGED_APP_RESOURCE_GROUP_ID: must be \/subscriptions/),
    ]);
  });

  it('is refused together with the SaaS offer, and with a plain-http Resource Manager outside local tests', () => {
    expect(
      problemsOf({ ...minimal, MANAGED_APP_METERING: 'true', MANAGED_APP_RESOURCE_GROUP_ID: GROUP, MARKETPLACE_TENANT_ID: 't', MARKETPLACE_CLIENT_ID: 'c' }),
    ).toEqual([expect.stringMatching(/^MANAGED_APP_METERING: bills the managed application/)]);
    expect(problemsOf({ ...minimal, MANAGEMENT_API_URL: 'http://127.0.0.1:9999' })).toEqual([expect.stringMatching(/^MANAGEMENT_API_URL: must be an https/)]);
  });
});
