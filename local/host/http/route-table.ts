import type { FunctionRegistration } from '../../functions-core/index.js';
import { HostStartupError } from '../errors.js';
import { stringOption, triggerBindingOf } from '../rpc-data.js';
import {
  compareRoutePrecedence,
  matchRouteTemplate,
  parseRouteTemplate,
  RouteTemplateError,
  splitRequestPath,
  type RouteParams,
  type RouteTemplate,
} from './route-template.js';

export interface HttpRoute {
  readonly registration: FunctionRegistration;
  readonly functionName: string;
  readonly template: RouteTemplate;
  /** Upper-case methods, or undefined when the function accepts every method. */
  readonly methods: ReadonlySet<string> | undefined;
}

export type RouteLookup =
  | { readonly kind: 'matched'; readonly route: HttpRoute; readonly params: RouteParams }
  | { readonly kind: 'methodNotAllowed'; readonly allow: readonly string[] }
  | { readonly kind: 'notFound' };

function methodsOf(value: unknown, functionName: string): ReadonlySet<string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((m) => typeof m !== 'string')) {
    throw new HostStartupError(`Function "${functionName}": "methods" must be a list of HTTP methods.`);
  }
  const methods = value as string[];
  return methods.length === 0 ? undefined : new Set(methods.map((m) => m.toUpperCase()));
}

export function httpRouteOf(registration: FunctionRegistration, routePrefix: string): HttpRoute {
  const functionName = registration.metadata.name;
  const { binding } = triggerBindingOf(registration);
  // Without a route the host serves the function under its name.
  const route = (stringOption(binding, 'route') ?? functionName).replace(/^\/+/, '');
  const text = routePrefix ? (route ? `${routePrefix}/${route}` : routePrefix) : route;
  let template: RouteTemplate;
  try {
    template = parseRouteTemplate(text);
  } catch (error) {
    if (error instanceof RouteTemplateError) {
      throw new HostStartupError(`Function "${functionName}": ${error.message}`);
    }
    throw error;
  }
  return { registration, functionName, template, methods: methodsOf(binding['methods'], functionName) };
}

/** Ordinal, so the order never depends on the machine's locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Two templates with the same shape (`a/{id}` and `a/{key}`) match exactly the same paths. */
function routeShape(template: RouteTemplate): string {
  return template.segments
    .map((segment) =>
      segment.parts
        .map((part) =>
          part.kind === 'literal'
            ? part.text.toLowerCase()
            : `{${part.catchAll ? '*' : ''}${part.constraints.map((c) => `:${c.text}`).join('')}${part.optional ? '?' : ''}}`,
        )
        .join(''),
    )
    .join('/');
}

/** The HTTP routes of an app, tried in precedence order regardless of registration order. */
export class RouteTable {
  readonly routes: readonly HttpRoute[];

  constructor(routes: readonly HttpRoute[]) {
    this.routes = routes
      .map((route, index) => ({ route, index }))
      .sort(
        (a, b) =>
          compareRoutePrecedence(a.route.template, b.route.template) ||
          compareText(a.route.template.template.toLowerCase(), b.route.template.template.toLowerCase()) ||
          a.index - b.index,
      )
      .map(({ route }) => route);
    const byShape = new Map<string, HttpRoute[]>();
    for (const route of this.routes) {
      const key = routeShape(route.template);
      const same = byShape.get(key) ?? [];
      const clash = same.find(
        (other) => !other.methods || !route.methods || [...route.methods].some((m) => other.methods?.has(m)),
      );
      if (clash) {
        throw new HostStartupError(
          `Functions "${clash.functionName}" and "${route.functionName}" serve the same route "${route.template.template}" for the same method.`,
        );
      }
      byShape.set(key, [...same, route]);
    }
  }

  lookup(method: string, pathname: string): RouteLookup {
    const segments = splitRequestPath(pathname);
    const upperMethod = method.toUpperCase();
    const allow = new Set<string>();
    for (const route of this.routes) {
      const params = matchRouteTemplate(route.template, segments);
      if (!params) continue;
      if (!route.methods || route.methods.has(upperMethod)) {
        return { kind: 'matched', route, params };
      }
      for (const allowed of route.methods) allow.add(allowed);
    }
    return allow.size > 0 ? { kind: 'methodNotAllowed', allow: [...allow].sort() } : { kind: 'notFound' };
  }
}
