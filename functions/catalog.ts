import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { pageQuerySchema, pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import { ethnicitiesResponse, voicesResponse } from '../shared/http/schemas/catalog.js';
import { companionResponse } from '../shared/http/schemas/companion.js';

// `companions/ethnicities` and `companions/stock` sit beside `companions/{id}`: hosts prefer literal segments to
// parameters (ASP.NET route precedence in Azure, the same rule in the local host), whatever the registration order.

const listEthnicities = defineRoute({
  name: 'public-companion-ethnicities-list',
  method: 'GET',
  route: 'public/companions/ethnicities',
  auth: 'apiKey',
  summary: 'The accepted ethnicity values for companions and digital twins',
  tags: ['Companions'],
  responses: { 200: { description: 'The accepted values', schema: ethnicitiesResponse } },
});

app.http(listEthnicities.name, {
  route: listEthnicities.route,
  methods: [listEthnicities.method],
  authLevel: 'anonymous',
  handler: httpHandler(listEthnicities, async ({ services }) => ({
    status: 200,
    body: { items: [...services.catalog.ethnicities()] },
  })),
});

const listStockCompanions = defineRoute({
  name: 'public-companion-stock-list',
  method: 'GET',
  route: 'public/companions/stock',
  auth: 'apiKey',
  summary: 'The read-only stock catalog of companions that every project can use',
  tags: ['Companions'],
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of stock companions', schema: pageResponseSchema(companionResponse) } },
});

app.http(listStockCompanions.name, {
  route: listStockCompanions.route,
  methods: [listStockCompanions.method],
  authLevel: 'anonymous',
  handler: httpHandler(listStockCompanions, async ({ query, services }) => ({
    status: 200,
    body: services.catalog.stock(query),
  })),
});

const listVoices = defineRoute({
  name: 'public-voices-list',
  method: 'GET',
  route: 'public/voices',
  auth: 'apiKey',
  summary: "The voices an agent may use: the LLM provider's (Azure OpenAI realtime) standard voices",
  tags: ['Voices'],
  responses: { 200: { description: 'The standard voices', schema: voicesResponse } },
});

app.http(listVoices.name, {
  route: listVoices.route,
  methods: [listVoices.method],
  authLevel: 'anonymous',
  handler: httpHandler(listVoices, async ({ services }) => ({
    status: 200,
    body: { items: [...services.catalog.voices()] },
  })),
});
