import { describe, expect, it } from 'vitest';
import '../../../functions/catalog.js';
import '../../../functions/companions.js';
import '../../../functions/companion-assets.js';
import '../../../functions/avatar-engine-callback.js';
import { compareRoutePrecedence, matchRouteTemplate, parseRouteTemplate, splitRequestPath } from '../../../local/host/http/route-template.js';
import { buildOpenApiDocument } from '../../../shared/http/openapi.js';
import { routeRegistry } from '../../../shared/http/route-registry.js';

/** The route the local host (and, by the same precedence rule, Azure) serves a GET path with. */
function routeFor(path: string): string | undefined {
  const routes = routeRegistry
    .all()
    .filter((r) => r.method === 'GET')
    .map((r) => ({ name: r.name, template: parseRouteTemplate(r.route) }))
    .sort((a, b) => compareRoutePrecedence(a.template, b.template));
  return routes.find((r) => matchRouteTemplate(r.template, splitRequestPath(path)) !== undefined)?.name;
}

describe('companion asset routes', () => {
  it('serve stock previews and view assets side by side with the companion routes, whatever the registration order', () => {
    expect(routeFor('/public/companions/stock/comp_stock-ava/preview')).toBe('public-companion-stock-preview-get');
    expect(routeFor('/public/companions/comp_abc/assets/round')).toBe('public-companion-asset-get');
    // Both templates match this path; the literal `stock` outranks the parameter.
    expect(routeFor('/public/companions/stock/assets/preview')).toBe('public-companion-stock-preview-get');
    expect(routeFor('/public/companions/stock')).toBe('public-companion-stock-list');
    expect(routeFor('/public/companions/comp_abc')).toBe('public-companion-get');
  });

  it('are described in the OpenAPI document as images, and companion views with the url that serves them', () => {
    const document = buildOpenApiDocument(routeRegistry.all(), { title: 't', version: 'v' }) as { paths: Record<string, Record<string, unknown>> };
    const asset = JSON.stringify(document.paths['/public/companions/{id}/assets/{view}']!.get);
    expect(asset).toContain('"image/png":{}');
    expect(asset).toContain('"image/jpeg":{}');
    const companion = JSON.stringify(document.paths['/public/companions/{id}']!.get);
    expect(companion).toContain('/public/companions/{id}/assets/{view}');
    expect(companion).toContain('previewUrl');
    expect(document.paths['/callbacks/avatar-engine/{jobId}']!.post).toMatchObject({ security: [] });
  });
});
