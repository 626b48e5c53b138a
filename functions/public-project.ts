import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import { keyProjectResponse } from '../shared/http/schemas/public-project.js';

const getKeyProject = defineRoute({
  name: 'public-project-get',
  method: 'GET',
  route: 'public/project',
  auth: 'apiKey',
  summary: "The API key's project and organization, so a client can check its key",
  tags: ['Project'],
  responses: { 200: { description: 'The project and organization of the key', schema: keyProjectResponse } },
});

app.http(getKeyProject.name, {
  route: getKeyProject.route,
  methods: [getKeyProject.method],
  authLevel: 'anonymous',
  handler: httpHandler(getKeyProject, async ({ principal, services }) => ({
    status: 200,
    body: await services.publicProject.describe(principal),
  })),
});
