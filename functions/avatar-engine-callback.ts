import { app } from './registration.js';
import { UnsupportedMediaTypeError } from '../shared/domain/errors.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { isJsonContentType, readAtMost } from '../shared/http/json-body.js';
import { defineRoute } from '../shared/http/route.js';
import { avatarEngineCallbackParams, avatarEngineCallbackResponse } from '../shared/http/schemas/companion-assets.js';

/**
 * Larger than the JSON limit of the public API: a report may carry its views inline (base64), up to three images.
 * The body is read as bytes because the signature covers them exactly as sent.
 */
const MAX_CALLBACK_BYTES = 32 * 1024 * 1024;

const avatarEngineCallback = defineRoute({
  name: 'avatar-engine-callback',
  method: 'POST',
  route: 'callbacks/avatar-engine/{jobId}',
  auth: 'none',
  summary:
    "The remote avatar engine's report for a job, signed with the shared secret: X-Engine-Timestamp (unix seconds) " +
    'and X-Engine-Signature: v1=<hex HMAC-SHA256 of "timestamp.body">; 401 for a bad or stale (over 5 minutes) signature',
  tags: ['Callbacks'],
  params: avatarEngineCallbackParams,
  responses: { 200: { description: 'The report was taken (or was a repeat)', schema: avatarEngineCallbackResponse } },
});

app.http(avatarEngineCallback.name, {
  route: avatarEngineCallback.route,
  methods: [avatarEngineCallback.method],
  authLevel: 'anonymous',
  handler: httpHandler(avatarEngineCallback, async ({ params, request, services }) => {
    if (!isJsonContentType(request.headers.get('content-type'))) throw new UnsupportedMediaTypeError('application/json');
    const body = await readAtMost(request, MAX_CALLBACK_BYTES);
    const outcome = await services.avatarGeneration.completeRemoteJob(params.jobId, {
      header: (name) => request.headers.get(name) ?? undefined,
      body,
    });
    return { status: 200, body: { jobId: params.jobId, outcome } };
  }),
});
