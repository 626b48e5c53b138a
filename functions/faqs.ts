import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { pageQuerySchema, pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import {
  createFaqBody,
  createFaqItemBody,
  faqCollectionResponse,
  faqItemPathParams,
  faqPathParams,
  updateFaqBody,
  updateFaqItemBody,
} from '../shared/http/schemas/faq.js';

const tags = ['FAQs'];
const locationOf = (faqId: string) => `/public/faqs/${faqId}`;

const listFaqs = defineRoute({
  name: 'public-faqs-list',
  method: 'GET',
  route: 'public/faqs',
  auth: 'apiKey',
  summary: "The API key's project's FAQ collections with their pairs, newest first",
  tags,
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of FAQ collections', schema: pageResponseSchema(faqCollectionResponse) } },
});

app.http(listFaqs.name, {
  route: listFaqs.route,
  methods: [listFaqs.method],
  authLevel: 'anonymous',
  handler: httpHandler(listFaqs, async ({ principal, query, services }) => ({
    status: 200,
    body: await services.faqs.list(principal, query),
  })),
});

const createFaq = defineRoute({
  name: 'public-faq-create',
  method: 'POST',
  route: 'public/faqs',
  auth: 'apiKey',
  summary: 'Create an FAQ collection of up to 50 question-answer pairs',
  tags,
  body: createFaqBody,
  responses: { 201: { description: 'The new collection', schema: faqCollectionResponse } },
});

app.http(createFaq.name, {
  route: createFaq.route,
  methods: [createFaq.method],
  authLevel: 'anonymous',
  handler: httpHandler(createFaq, async ({ principal, body, services }) => {
    const collection = await services.faqs.create(principal, body);
    return { status: 201, body: collection, etag: collection.etag, location: locationOf(collection.id) };
  }),
});

const getFaq = defineRoute({
  name: 'public-faq-get',
  method: 'GET',
  route: 'public/faqs/{id}',
  auth: 'apiKey',
  summary: 'One FAQ collection with its pairs',
  tags,
  params: faqPathParams,
  responses: { 200: { description: 'The collection', schema: faqCollectionResponse } },
});

app.http(getFaq.name, {
  route: getFaq.route,
  methods: [getFaq.method],
  authLevel: 'anonymous',
  handler: httpHandler(getFaq, async ({ principal, params, services }) => {
    const collection = await services.faqs.get(principal, params.id);
    return { status: 200, body: collection, etag: collection.etag };
  }),
});

const updateFaq = defineRoute({
  name: 'public-faq-update',
  method: 'PATCH',
  route: 'public/faqs/{id}',
  auth: 'apiKey',
  summary: "Rename a collection or replace its pairs (a pair given with an existing pair's id keeps that id)",
  tags,
  params: faqPathParams,
  body: updateFaqBody,
  responses: { 200: { description: 'The changed collection', schema: faqCollectionResponse } },
});

app.http(updateFaq.name, {
  route: updateFaq.route,
  methods: [updateFaq.method],
  authLevel: 'anonymous',
  handler: httpHandler(updateFaq, async ({ principal, params, body, ifMatch, services }) => {
    const collection = await services.faqs.update(principal, params.id, body, ifMatch);
    return { status: 200, body: collection, etag: collection.etag };
  }),
});

const deleteFaq = defineRoute({
  name: 'public-faq-delete',
  method: 'DELETE',
  route: 'public/faqs/{id}',
  auth: 'apiKey',
  summary: 'Delete an FAQ collection',
  tags,
  params: faqPathParams,
  responses: { 204: { description: 'Deleted' } },
});

app.http(deleteFaq.name, {
  route: deleteFaq.route,
  methods: [deleteFaq.method],
  authLevel: 'anonymous',
  handler: httpHandler(deleteFaq, async ({ principal, params, ifMatch, services }) => {
    await services.faqs.delete(principal, params.id, ifMatch);
    return { status: 204 };
  }),
});

const addFaqItem = defineRoute({
  name: 'public-faq-item-create',
  method: 'POST',
  route: 'public/faqs/{id}/items',
  auth: 'apiKey',
  summary: "Add one question-answer pair (the 51st answers 400 FaqLimitExceeded); If-Match takes the collection's ETag",
  tags,
  params: faqPathParams,
  body: createFaqItemBody,
  responses: { 201: { description: 'The collection with the new pair last; Location names the pair', schema: faqCollectionResponse } },
});

app.http(addFaqItem.name, {
  route: addFaqItem.route,
  methods: [addFaqItem.method],
  authLevel: 'anonymous',
  handler: httpHandler(addFaqItem, async ({ principal, params, body, ifMatch, services }) => {
    const { collection, itemId } = await services.faqs.addItem(principal, params.id, body, ifMatch);
    return { status: 201, body: collection, etag: collection.etag, location: `${locationOf(collection.id)}/items/${itemId}` };
  }),
});

const updateFaqItem = defineRoute({
  name: 'public-faq-item-update',
  method: 'PATCH',
  route: 'public/faqs/{id}/items/{itemId}',
  auth: 'apiKey',
  summary: "Change one pair's question or answer; If-Match takes the collection's ETag",
  tags,
  params: faqItemPathParams,
  body: updateFaqItemBody,
  responses: { 200: { description: 'The changed collection', schema: faqCollectionResponse } },
});

app.http(updateFaqItem.name, {
  route: updateFaqItem.route,
  methods: [updateFaqItem.method],
  authLevel: 'anonymous',
  handler: httpHandler(updateFaqItem, async ({ principal, params, body, ifMatch, services }) => {
    const collection = await services.faqs.updateItem(principal, params.id, params.itemId, body, ifMatch);
    return { status: 200, body: collection, etag: collection.etag };
  }),
});

const deleteFaqItem = defineRoute({
  name: 'public-faq-item-delete',
  method: 'DELETE',
  route: 'public/faqs/{id}/items/{itemId}',
  auth: 'apiKey',
  summary: "Remove one pair; If-Match takes the collection's ETag, and the ETag header gives its new one",
  tags,
  params: faqItemPathParams,
  responses: { 204: { description: 'Deleted' } },
});

app.http(deleteFaqItem.name, {
  route: deleteFaqItem.route,
  methods: [deleteFaqItem.method],
  authLevel: 'anonymous',
  handler: httpHandler(deleteFaqItem, async ({ principal, params, ifMatch, services }) => {
    const collection = await services.faqs.deleteItem(principal, params.id, params.itemId, ifMatch);
    // The collection's new ETag, so that a client can go on changing it without reading it again.
    return { status: 204, etag: collection.etag };
  }),
});
