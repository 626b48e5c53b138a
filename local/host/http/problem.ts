import type { ServerResponse } from 'node:http';

export type HostProblemCode =
  | 'BadRequest'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'Internal'
  | 'PayloadTooLarge'
  | 'ServiceUnavailable'
  | 'BadGateway';

const titles: Record<HostProblemCode, string> = {
  BadRequest: 'Bad Request',
  NotFound: 'Not Found',
  MethodNotAllowed: 'Method Not Allowed',
  Internal: 'Internal Server Error',
  PayloadTooLarge: 'Payload Too Large',
  ServiceUnavailable: 'Service Unavailable',
  BadGateway: 'Bad Gateway',
};

/**
 * Answers with RFC 9457 problem details for what the host itself decides (no route, wrong method, a
 * failed invocation). The detail is fixed text: nothing from the failure reaches the client.
 */
export function sendProblem(
  res: ServerResponse,
  status: number,
  code: HostProblemCode,
  detail: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    // Part of another response went out already; cutting the connection is the only honest signal left.
    res.destroy();
    return;
  }
  const body = JSON.stringify({ type: 'about:blank', title: titles[code], status, detail, code });
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
