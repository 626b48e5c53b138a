import { describe, expect, it } from 'vitest';
import {
  compareRoutePrecedence,
  matchRouteTemplate,
  parseRouteTemplate,
  splitRequestPath,
  type RouteTemplate,
} from '../../local/host/http/route-template.js';

function match(template: string, path: string): Record<string, string> | undefined {
  return matchRouteTemplate(parseRouteTemplate(template), splitRequestPath(path));
}

function firstMatch(templates: string[], path: string): string | undefined {
  const sorted: RouteTemplate[] = templates.map(parseRouteTemplate).sort(compareRoutePrecedence);
  return sorted.find((t) => matchRouteTemplate(t, splitRequestPath(path)))?.template;
}

describe('route templates', () => {
  it('when the path has the same literals, parameters capture their segments', () => {
    expect(match('public/companions/{id}', '/public/companions/c-42')).toEqual({ id: 'c-42' });
    expect(match('orgs/{orgId}/projects/{projectId}', '/orgs/o1/projects/p2')).toEqual({ orgId: 'o1', projectId: 'p2' });
  });

  it('when a literal differs or a segment is missing or extra, nothing matches', () => {
    expect(match('public/companions/{id}', '/public/agents/c-42')).toBeUndefined();
    expect(match('public/companions/{id}', '/public/companions')).toBeUndefined();
    expect(match('public/companions/{id}', '/public/companions/c-42/extra')).toBeUndefined();
  });

  it('when literals differ only in case, they still match', () => {
    expect(match('Public/Companions/{id}', '/PUBLIC/companions/X')).toEqual({ id: 'X' });
  });

  it('when a value is percent-encoded, the parameter holds it decoded', () => {
    expect(match('files/{name}', '/files/hello%20world.txt')).toEqual({ name: 'hello world.txt' });
  });

  it('when the path ends with a slash, it matches as without one', () => {
    expect(match('public/companions', '/public/companions/')).toEqual({});
  });

  it('when an optional parameter is absent, the route matches without it', () => {
    expect(match('greetings/{name?}', '/greetings')).toEqual({});
    expect(match('greetings/{name?}', '/greetings/ada')).toEqual({ name: 'ada' });
    expect(match('pages/{page=1}', '/pages')).toEqual({ page: '1' });
  });

  it('when a catch-all ends the template, it takes the rest of the path with its slashes', () => {
    expect(match('files/{*rest}', '/files/a/b/c.txt')).toEqual({ rest: 'a/b/c.txt' });
    expect(match('files/{**rest}', '/files/a/b')).toEqual({ rest: 'a/b' });
    expect(match('files/{*rest}', '/files')).toEqual({});
  });

  it('when a constraint is not met, the route does not match', () => {
    expect(match('items/{id:int}', '/items/17')).toEqual({ id: '17' });
    expect(match('items/{id:int}', '/items/seventeen')).toBeUndefined();
    expect(match('items/{id:int}', '/items/99999999999')).toBeUndefined();
    expect(match('items/{id:guid}', '/items/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBeDefined();
    expect(match('items/{id:guid}', '/items/nope')).toBeUndefined();
    expect(match('codes/{code:length(3)}', '/codes/abc')).toEqual({ code: 'abc' });
    expect(match('codes/{code:length(3)}', '/codes/abcd')).toBeUndefined();
    expect(match('ages/{age:range(18,120)}', '/ages/17')).toBeUndefined();
    expect(match('ages/{age:int:min(18)}', '/ages/30')).toEqual({ age: '30' });
    expect(match('skus/{sku:regex(^[a-z]{{2}}\\d+$)}', '/skus/ab12')).toEqual({ sku: 'ab12' });
    expect(match('skus/{sku:regex(^[a-z]{{2}}\\d+$)}', '/skus/a12')).toBeUndefined();
    expect(match('flags/{on:bool}', '/flags/True')).toEqual({ on: 'True' });
    expect(match('names/{n:alpha}', '/names/abc1')).toBeUndefined();
  });

  it('when a segment mixes literals and parameters, each part is captured', () => {
    expect(match('media/{name}.{ext}', '/media/report.final.pdf')).toEqual({ name: 'report.final', ext: 'pdf' });
    expect(match('media/{name}.{ext}', '/media/noext')).toBeUndefined();
  });

  it('when literal and parameter routes both match, the literal wins regardless of order', () => {
    const routes = ['public/companions/{id}', 'public/companions/stock'];
    expect(firstMatch(routes, '/public/companions/stock')).toBe('public/companions/stock');
    expect(firstMatch([...routes].reverse(), '/public/companions/stock')).toBe('public/companions/stock');
    expect(firstMatch(routes, '/public/companions/c1')).toBe('public/companions/{id}');
  });

  it('when parameter and catch-all routes both match, the parameter wins; constrained beats unconstrained', () => {
    expect(firstMatch(['files/{*rest}', 'files/{name}'], '/files/a.txt')).toBe('files/{name}');
    expect(firstMatch(['files/{*rest}', 'files/{name}'], '/files/a/b.txt')).toBe('files/{*rest}');
    expect(firstMatch(['items/{slug}', 'items/{id:int}'], '/items/5')).toBe('items/{id:int}');
    expect(firstMatch(['items/{slug}', 'items/{id:int}'], '/items/five')).toBe('items/{slug}');
  });

  it('when the template is empty, only the root matches', () => {
    expect(match('', '/')).toEqual({});
    expect(match('', '/x')).toBeUndefined();
  });

  it('when a template is malformed, parsing fails with a reason', () => {
    expect(() => parseRouteTemplate('files/{*rest}/more')).toThrow(/catch-all/);
    expect(() => parseRouteTemplate('items/{id')).toThrow(/unclosed/);
    expect(() => parseRouteTemplate('items/{id}/{id}')).toThrow(/twice/);
    expect(() => parseRouteTemplate('items/{id:nosuch}')).toThrow(/not supported/);
    expect(() => parseRouteTemplate('a/{x?}/b')).toThrow(/optional/);
    expect(() => parseRouteTemplate('a/{x}{y}')).toThrow(/separator/);
  });
});
