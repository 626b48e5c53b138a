/** Headers that describe one connection rather than the message; a proxy must not forward them. */
const hopByHopHeaders = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

export function isHopByHopHeader(name: string): boolean {
  return hopByHopHeaders.has(name.toLowerCase());
}
