import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import {
  companionPathParams,
  companionResponse,
  createCompanionBody,
  listCompanionsQuery,
  updateCompanionBody,
} from '../shared/http/schemas/companion.js';

const tags = ['Companions'];
const locationOf = (companionId: string) => `/public/companions/${companionId}`;

const listCompanions = defineRoute({
  name: 'public-companions-list',
  method: 'GET',
  route: 'public/companions',
  auth: 'apiKey',
  summary:
    "The API key's project's companions and digital twins, newest first. Filters combine with AND: personaType, " +
    'statuses (statuses[]=a&statuses[]=b or statuses=a,b), gender, ethnicity, search (case-insensitive, in names, ' +
    'headline and description) and tags (tags=key:value, repeat for several). totalCount counts every companion of ' +
    'the project, filteredCount those that match.',
  tags,
  query: listCompanionsQuery,
  responses: { 200: { description: 'A page of companions', schema: pageResponseSchema(companionResponse) } },
});

app.http(listCompanions.name, {
  route: listCompanions.route,
  methods: [listCompanions.method],
  authLevel: 'anonymous',
  handler: httpHandler(listCompanions, async ({ principal, query, services }) => {
    const { pageIndex, pageSize, ...filter } = query;
    return { status: 200, body: await services.companions.list(principal, filter, { pageIndex, pageSize }) };
  }),
});

const createCompanion = defineRoute({
  name: 'public-companion-create',
  method: 'POST',
  route: 'public/companions',
  auth: 'apiKey',
  summary: 'Create a companion; its media is fetched and checked and its avatar generated afterwards (status pending)',
  tags,
  body: createCompanionBody,
  responses: { 201: { description: 'The new companion', schema: companionResponse } },
});

app.http(createCompanion.name, {
  route: createCompanion.route,
  methods: [createCompanion.method],
  authLevel: 'anonymous',
  handler: httpHandler(createCompanion, async ({ principal, body, services }) => {
    const companion = await services.companions.create(principal, body);
    return { status: 201, body: companion, etag: companion.etag, location: locationOf(companion.id) };
  }),
});

const getCompanion = defineRoute({
  name: 'public-companion-get',
  method: 'GET',
  route: 'public/companions/{id}',
  auth: 'apiKey',
  summary: 'One companion of the project, or of the stock catalog',
  tags,
  params: companionPathParams,
  responses: { 200: { description: 'The companion', schema: companionResponse } },
});

app.http(getCompanion.name, {
  route: getCompanion.route,
  methods: [getCompanion.method],
  authLevel: 'anonymous',
  handler: httpHandler(getCompanion, async ({ principal, params, services }) => {
    const companion = await services.companions.get(principal, params.id);
    return { status: 200, body: companion, etag: companion.etag };
  }),
});

const updateCompanion = defineRoute({
  name: 'public-companion-update',
  method: 'PATCH',
  route: 'public/companions/{id}',
  auth: 'apiKey',
  summary:
    'Change headline, description, tags (replaced as a whole) or names; appearance (gender, ethnicity, picture, ' +
    'video, version) is fixed at creation',
  tags,
  params: companionPathParams,
  body: updateCompanionBody,
  responses: { 200: { description: 'The changed companion', schema: companionResponse } },
});

app.http(updateCompanion.name, {
  route: updateCompanion.route,
  methods: [updateCompanion.method],
  authLevel: 'anonymous',
  handler: httpHandler(updateCompanion, async ({ principal, params, body, ifMatch, services }) => {
    const companion = await services.companions.update(principal, params.id, body, ifMatch);
    return { status: 200, body: companion, etag: companion.etag };
  }),
});

const deleteCompanion = defineRoute({
  name: 'public-companion-delete',
  method: 'DELETE',
  route: 'public/companions/{id}',
  auth: 'apiKey',
  summary: "Delete a companion with its files; a digital twin's externalClientId becomes free again",
  tags,
  params: companionPathParams,
  responses: { 204: { description: 'Deleted' } },
});

app.http(deleteCompanion.name, {
  route: deleteCompanion.route,
  methods: [deleteCompanion.method],
  authLevel: 'anonymous',
  handler: httpHandler(deleteCompanion, async ({ principal, params, ifMatch, services }) => {
    await services.companions.delete(principal, params.id, ifMatch);
    return { status: 204 };
  }),
});
