import type { TokenCredential } from '@azure/identity';
import { z } from 'zod';
import type { ManagedApplicationBilling, ManagedApplicationBillingSource } from '../../domain/metering.js';
import type { MeteringTokenSource } from './marketplace-metering-client.js';

/**
 * Finds what a managed-application install bills to, with the Function App's managed identity on Azure Resource
 * Manager: the managed resource group names its application in `managedBy`, and the application holds
 * `properties.billingDetails.resourceUsageId` and `plan.name`. Found once per process (they do not change for the
 * life of an install); a failure is not cached, so the next submission run asks again.
 */
export const ARM_SCOPE = 'https://management.azure.com/.default';
export const RESOURCE_GROUP_API_VERSION = '2021-04-01';
export const APPLICATION_API_VERSION = '2019-07-01';
const CALL_TIMEOUT_MS = 30_000;

export class ManagedApplicationDiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManagedApplicationDiscoveryError';
  }
}

const resourceGroupSchema = z.object({ id: z.string().optional(), managedBy: z.string().optional() }).passthrough();

const applicationSchema = z
  .object({
    id: z.string().optional(),
    plan: z.object({ name: z.string().optional() }).passthrough().optional(),
    properties: z
      .object({ billingDetails: z.object({ resourceUsageId: z.string().optional() }).passthrough().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

export class ArmManagedApplicationBilling implements ManagedApplicationBillingSource {
  private cached: ManagedApplicationBilling | undefined;
  private inFlight: Promise<ManagedApplicationBilling> | undefined;

  constructor(
    private readonly options: {
      /** Base of Azure Resource Manager, e.g. `https://management.azure.com`. */
      readonly managementUrl: string;
      /** `/subscriptions/<id>/resourceGroups/<name>`: the resource group the Function App runs in. */
      readonly resourceGroupId: string;
      readonly credential: () => TokenCredential;
    },
  ) {}

  resolve(): Promise<ManagedApplicationBilling> {
    if (this.cached !== undefined) return Promise.resolve(this.cached);
    this.inFlight ??= this.discover()
      .then((found) => {
        this.cached = found;
        return found;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async discover(): Promise<ManagedApplicationBilling> {
    const group = resourceGroupSchema.safeParse(await this.read(this.options.resourceGroupId, RESOURCE_GROUP_API_VERSION, 'the resource group'));
    if (!group.success) throw new ManagedApplicationDiscoveryError(`The resource group ${this.options.resourceGroupId} answered in an unexpected shape.`);
    const applicationId = group.data.managedBy?.trim();
    if (applicationId === undefined || applicationId === '' || !applicationId.startsWith('/subscriptions/')) {
      throw new ManagedApplicationDiscoveryError(
        `The resource group ${this.options.resourceGroupId} has no managedBy: it is not the managed resource group of a managed application, so MANAGED_APP_METERING has nothing to bill.`,
      );
    }
    const application = applicationSchema.safeParse(await this.read(applicationId, APPLICATION_API_VERSION, 'the managed application'));
    if (!application.success) throw new ManagedApplicationDiscoveryError(`The managed application ${applicationId} answered in an unexpected shape.`);
    const resourceUsageId = application.data.properties?.billingDetails?.resourceUsageId?.trim();
    if (resourceUsageId === undefined || resourceUsageId === '') {
      throw new ManagedApplicationDiscoveryError(
        `The managed application ${applicationId} has no properties.billingDetails.resourceUsageId (only Marketplace managed applications have one).`,
      );
    }
    const planId = application.data.plan?.name?.trim();
    if (planId === undefined || planId === '') {
      throw new ManagedApplicationDiscoveryError(`The managed application ${applicationId} has no plan.name, which usage events need as their planId.`);
    }
    return { applicationId, resourceUsageId, planId };
  }

  private async read(resourceId: string, apiVersion: string, what: string): Promise<unknown> {
    let response: Response;
    try {
      const access = await this.options.credential().getToken(ARM_SCOPE);
      if (access === null) throw new Error('no token');
      response = await fetch(`${this.options.managementUrl}${resourceId}?api-version=${apiVersion}`, {
        headers: { authorization: `Bearer ${access.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (err) {
      throw new ManagedApplicationDiscoveryError(`Reading ${what} on Azure Resource Manager failed: ${err instanceof Error ? err.message : 'no answer'}.`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new ManagedApplicationDiscoveryError(
        `The managed identity may not read ${what} ${resourceId} (HTTP ${response.status}); it needs Reader on the managed resource group (managedResourceGroupReader).`,
      );
    }
    if (response.status === 404) throw new ManagedApplicationDiscoveryError(`Azure Resource Manager does not know ${what} ${resourceId} (HTTP 404).`);
    if (!response.ok) throw new ManagedApplicationDiscoveryError(`Reading ${what} ${resourceId} answered HTTP ${response.status}.`);
    return response.json().catch(() => undefined);
  }
}

/** Metering API tokens of the managed identity, for the Marketplace's resource (its application id). */
export function identityMeteringTokens(credential: () => TokenCredential, appId: string): MeteringTokenSource {
  const scope = `${appId}/.default`;
  return {
    async getToken() {
      // The credential (ManagedIdentityCredential) caches and refreshes its tokens itself.
      const access = await credential().getToken(scope);
      if (access === null) throw new Error('The managed identity gave no token for the Marketplace Metering API');
      return access.token;
    },
    invalidate() {
      // Nothing of ours to drop; a 401 is retried on the next run with whatever the credential holds then.
    },
  };
}
