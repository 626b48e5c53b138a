import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import { meResponse } from '../shared/http/schemas/organization.js';

const getMe = defineRoute({
  name: 'manage-me-get',
  method: 'GET',
  route: 'manage/me',
  auth: 'manage',
  summary: 'The signed-in user and the organizations they belong to, with their role in each',
  tags: ['Management'],
  responses: { 200: { description: 'The caller', schema: meResponse } },
});

app.http(getMe.name, {
  route: getMe.route,
  methods: [getMe.method],
  authLevel: 'anonymous',
  handler: httpHandler(getMe, async ({ principal, services }) => ({
    status: 200,
    body: await services.organizations.overview(principal),
  })),
});
