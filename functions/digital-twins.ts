import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import { companionResponse } from '../shared/http/schemas/companion.js';
import { createDigitalTwinBody } from '../shared/http/schemas/digital-twin.js';

const createDigitalTwin = defineRoute({
  name: 'public-digital-twin-create',
  method: 'POST',
  route: 'public/digital-twins',
  auth: 'apiKey',
  summary:
    "Create a digital twin from a real person's voice recording and likeness (pictureUrl for v1, videoUrl for v2). " +
    'Needs an organization admin’s consent (403 DigitalTwinConsentRequired); externalClientId is unique per project ' +
    '(409 DigitalTwinAlreadyExists). Listed with GET /public/companions?personaType=digitalTwin.',
  tags: ['Companions'],
  body: createDigitalTwinBody,
  responses: { 201: { description: 'The new digital twin, a companion with personaType digitalTwin', schema: companionResponse } },
});

app.http(createDigitalTwin.name, {
  route: createDigitalTwin.route,
  methods: [createDigitalTwin.method],
  authLevel: 'anonymous',
  handler: httpHandler(createDigitalTwin, async ({ principal, body, services }) => {
    const twin = await services.digitalTwins.create(principal, body);
    return { status: 201, body: twin, etag: twin.etag, location: `/public/companions/${twin.id}` };
  }),
});
