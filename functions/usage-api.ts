import { app } from './registration.js';
import { ServiceUnavailableError } from '../shared/domain/errors.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import { organizationUsageParams, organizationUsageResponse, projectUsageResponse, usageQuerySchema } from '../shared/http/schemas/usage.js';
import type { Services } from '../shared/services/services.js';
import type { UsageServices } from '../shared/services/usage-services.js';

function usageOf(services: Services): UsageServices {
  if (services.usage === undefined) throw new ServiceUnavailableError('UsageUnavailable', 'Usage is not available in this deployment.');
  return services.usage;
}

const getProjectUsage = defineRoute({
  name: 'public-usage-get',
  method: 'GET',
  route: 'public/usage',
  dashboard: 'admin',
  auth: 'apiKey',
  summary: "Active minutes and cost per dimension for the key's project, by hour or day",
  tags: ['Usage'],
  query: usageQuerySchema,
  responses: { 200: { description: 'Usage per bucket and in total', schema: projectUsageResponse } },
});

app.http(getProjectUsage.name, {
  route: getProjectUsage.route,
  methods: [getProjectUsage.method],
  authLevel: 'anonymous',
  handler: httpHandler(getProjectUsage, async ({ principal, query, services }) => ({
    status: 200,
    body: await usageOf(services).reports.forProject(principal, query),
  })),
});

const getOrganizationUsage = defineRoute({
  name: 'manage-org-usage-get',
  method: 'GET',
  route: 'manage/orgs/{orgId}/usage',
  auth: 'manage',
  summary: "Active minutes and cost per dimension for all of an organization's projects (admins)",
  tags: ['Usage'],
  params: organizationUsageParams,
  query: usageQuerySchema,
  responses: { 200: { description: 'Usage per bucket, in total and per project', schema: organizationUsageResponse } },
});

app.http(getOrganizationUsage.name, {
  route: getOrganizationUsage.route,
  methods: [getOrganizationUsage.method],
  authLevel: 'anonymous',
  handler: httpHandler(getOrganizationUsage, async ({ principal, params, query, services }) => ({
    status: 200,
    body: await usageOf(services).reports.forOrganization(principal, params.orgId, query),
  })),
});
