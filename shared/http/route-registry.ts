import type { RouteDefinition } from './route.js';

/** Every route defined in this process, in definition order; `/openapi.json` is generated from it. */
export class RouteRegistry {
  private readonly routes = new Map<string, RouteDefinition>();
  private revision = 0;

  register(route: RouteDefinition): void {
    if (this.routes.has(route.name)) throw new Error(`route "${route.name}" is defined twice`);
    this.routes.set(route.name, route);
    this.revision += 1;
  }

  all(): RouteDefinition[] {
    return [...this.routes.values()];
  }

  /** Changes whenever a route is added, so derived documents can be cached until then. */
  get version(): number {
    return this.revision;
  }
}

export const routeRegistry = new RouteRegistry();
