import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import { AVATAR_IMAGE_TYPES, companionAssetParams, stockPreviewParams } from '../shared/http/schemas/companion-assets.js';
import type { AssetReply } from '../shared/services/companion-asset-service.js';

// `companions/stock/{id}/preview` and `companions/{id}/assets/{view}` both have five segments; the third is a
// literal in the first, so hosts try it first (ASP.NET route precedence in Azure, the same rule in the local host).

const tags = ['Companions'];

/** Views change only when regenerated (their ETag changes with them); a client may reuse one for five minutes. */
const VIEW_CACHE_CONTROL = 'private, max-age=300';
/** Stock portraits change only with a release. */
const STOCK_CACHE_CONTROL = 'private, max-age=3600';

const responses = {
  200: { description: 'The image', binary: AVATAR_IMAGE_TYPES },
  304: { description: 'The copy named in If-None-Match is current' },
} as const;

function replyOf(reply: AssetReply, cacheControl: string) {
  const headers = { 'Cache-Control': cacheControl };
  if (reply.kind === 'notModified') return { status: 304 as const, etag: reply.etag, headers };
  return {
    status: 200 as const,
    etag: reply.etag,
    headers,
    binary: { contentType: reply.contentType, contentLength: reply.contentLength, data: reply.body },
  };
}

const getAsset = defineRoute({
  name: 'public-companion-asset-get',
  method: 'GET',
  route: 'public/companions/{id}/assets/{view}',
  auth: 'apiKey',
  summary:
    "One of a companion's generated avatar views (the `url` of `avatar.views.<view>`), streamed with its content type " +
    'and ETag; 404 when the companion has no such view (yet)',
  tags,
  params: companionAssetParams,
  responses,
});

app.http(getAsset.name, {
  route: getAsset.route,
  methods: [getAsset.method],
  authLevel: 'anonymous',
  handler: httpHandler(getAsset, async ({ principal, params, request, services }) =>
    replyOf(await services.companionAssets.view(principal, params.id, params.view, request.headers.get('if-none-match') ?? undefined), VIEW_CACHE_CONTROL),
  ),
});

const getStockPreview = defineRoute({
  name: 'public-companion-stock-preview-get',
  method: 'GET',
  route: 'public/companions/stock/{id}/preview',
  auth: 'apiKey',
  summary: "A stock companion's preview portrait (its `previewUrl`): a 1920×1080 PNG drawn from its profile",
  tags,
  params: stockPreviewParams,
  responses,
});

app.http(getStockPreview.name, {
  route: getStockPreview.route,
  methods: [getStockPreview.method],
  authLevel: 'anonymous',
  handler: httpHandler(getStockPreview, async ({ params, request, services }) =>
    replyOf(await services.companionAssets.stockPreview(params.id, request.headers.get('if-none-match') ?? undefined), STOCK_CACHE_CONTROL),
  ),
});
