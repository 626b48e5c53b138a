const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The id that ties this request to the caller's own logs: their `x-correlation-id` if it is a safe token, else the
 * trace id of a W3C `traceparent`, else this invocation's id. Echoed, so it must never be arbitrary text.
 */
export function correlationIdOf(headers: Headers, invocationId: string): string {
  const incoming = headers.get('x-correlation-id');
  if (incoming !== null && SAFE_CORRELATION_ID.test(incoming)) return incoming;
  const traceId = TRACEPARENT.exec(headers.get('traceparent') ?? '')?.[1];
  if (traceId !== undefined && !/^0+$/.test(traceId)) return traceId;
  return invocationId;
}
