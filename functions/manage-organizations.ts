import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { pageQuerySchema, pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import { organizationResponse, orgPathParams, updateOrganizationBody } from '../shared/http/schemas/organization.js';

const tags = ['Management: organizations'];

const listOrganizations = defineRoute({
  name: 'manage-orgs-list',
  method: 'GET',
  route: 'manage/orgs',
  auth: 'manage',
  summary: "The caller's organizations",
  tags,
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of organizations', schema: pageResponseSchema(organizationResponse) } },
});

app.http(listOrganizations.name, {
  route: listOrganizations.route,
  methods: [listOrganizations.method],
  authLevel: 'anonymous',
  handler: httpHandler(listOrganizations, async ({ principal, query, services }) => ({
    status: 200,
    body: await services.organizations.listForPrincipal(principal, query),
  })),
});

const getOrganization = defineRoute({
  name: 'manage-org-get',
  method: 'GET',
  route: 'manage/orgs/{orgId}',
  auth: 'manage',
  summary: 'One organization (members only)',
  tags,
  params: orgPathParams,
  responses: { 200: { description: 'The organization', schema: organizationResponse } },
});

app.http(getOrganization.name, {
  route: getOrganization.route,
  methods: [getOrganization.method],
  authLevel: 'anonymous',
  handler: httpHandler(getOrganization, async ({ principal, params, services }) => {
    const org = await services.organizations.get(principal, params.orgId);
    return { status: 200, body: org, etag: org.etag };
  }),
});

const updateOrganization = defineRoute({
  name: 'manage-org-update',
  method: 'PATCH',
  route: 'manage/orgs/{orgId}',
  auth: 'manage',
  summary: "Change an organization's name or settings (admins)",
  tags,
  params: orgPathParams,
  body: updateOrganizationBody,
  responses: { 200: { description: 'The changed organization', schema: organizationResponse } },
});

app.http(updateOrganization.name, {
  route: updateOrganization.route,
  methods: [updateOrganization.method],
  authLevel: 'anonymous',
  handler: httpHandler(updateOrganization, async ({ principal, params, body, ifMatch, services }) => {
    const org = await services.organizations.update(principal, params.orgId, body, ifMatch);
    return { status: 200, body: org, etag: org.etag };
  }),
});
