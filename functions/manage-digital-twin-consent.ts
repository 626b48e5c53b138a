import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import { digitalTwinConsentResponse, grantDigitalTwinConsentBody } from '../shared/http/schemas/digital-twin-consent.js';
import { orgPathParams } from '../shared/http/schemas/organization.js';

const tags = ['Management: organizations'];

const getConsent = defineRoute({
  name: 'manage-digital-twin-consent-get',
  method: 'GET',
  route: 'manage/orgs/{orgId}/digital-twin-consent',
  auth: 'manage',
  summary: "Whether the organization consents to digital twins, who gave consent and when (members); ETag is the organization's",
  tags,
  params: orgPathParams,
  responses: { 200: { description: 'The consent', schema: digitalTwinConsentResponse } },
});

app.http(getConsent.name, {
  route: getConsent.route,
  methods: [getConsent.method],
  authLevel: 'anonymous',
  handler: httpHandler(getConsent, async ({ principal, params, services }) => {
    const { etag, ...consent } = await services.digitalTwinConsent.get(principal, params.orgId);
    return { status: 200, body: consent, etag };
  }),
});

const grantConsent = defineRoute({
  name: 'manage-digital-twin-consent-grant',
  method: 'PUT',
  route: 'manage/orgs/{orgId}/digital-twin-consent',
  auth: 'manage',
  summary: "Consent to digital twins for the organization, recording who and when (admins); consent that stands is kept",
  tags,
  params: orgPathParams,
  body: grantDigitalTwinConsentBody,
  responses: { 200: { description: 'The consent', schema: digitalTwinConsentResponse } },
});

app.http(grantConsent.name, {
  route: grantConsent.route,
  methods: [grantConsent.method],
  authLevel: 'anonymous',
  handler: httpHandler(grantConsent, async ({ principal, params, ifMatch, services }) => {
    const { etag, ...consent } = await services.digitalTwinConsent.grant(principal, params.orgId, ifMatch);
    return { status: 200, body: consent, etag };
  }),
});

const withdrawConsent = defineRoute({
  name: 'manage-digital-twin-consent-withdraw',
  method: 'DELETE',
  route: 'manage/orgs/{orgId}/digital-twin-consent',
  auth: 'manage',
  summary: 'Withdraw consent: new digital twins are refused within seconds; existing ones stay (admins)',
  tags,
  params: orgPathParams,
  responses: { 204: { description: 'Withdrawn' } },
});

app.http(withdrawConsent.name, {
  route: withdrawConsent.route,
  methods: [withdrawConsent.method],
  authLevel: 'anonymous',
  handler: httpHandler(withdrawConsent, async ({ principal, params, ifMatch, services }) => {
    await services.digitalTwinConsent.withdraw(principal, params.orgId, ifMatch);
    return { status: 204 };
  }),
});
