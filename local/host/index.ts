/**
 * The local Functions host: serves the registrations collected by local/functions-core over HTTP and
 * from storage queues, blobs and timers, always through the `@azure/functions` programming model.
 */
export { startLocalHost } from './local-host.js';
export type { LocalHost, LocalHttpRouteInfo } from './local-host.js';
export type { LocalHostOptions, LocalHostTuning } from './options.js';
export type { HostLogLine } from './logger.js';
export { HostStartupError } from './errors.js';
export {
  compareRoutePrecedence,
  matchRouteTemplate,
  parseRouteTemplate,
  splitRequestPath,
} from './http/route-template.js';
export { RouteTable } from './http/route-table.js';
