import { z } from 'zod';

export const MAX_MEDIA_URL_LENGTH = 2048;

/** The shape of a media URL at the edge; whether the service will fetch it is mediaUrlProblem's question. */
export const mediaUrlSchema = z
  .string()
  .max(MAX_MEDIA_URL_LENGTH)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute https:// URL' }))
  .describe('a publicly reachable https:// URL');

/**
 * Why a media URL is refused before anything is fetched, or undefined. Only its syntax is judged here: HTTPS, no
 * embedded credentials (they would be stored and shown back). Where it points (DNS, private and metadata addresses,
 * redirects, plain http) is judged by the guarded fetcher's address check, which answers UrlNotAllowed; the
 * local-only `allowPrivateUrls` setting matters only there.
 */
export function mediaUrlProblem(url: string, _allowPrivateUrls: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute https:// URL';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not contain credentials';
  if (parsed.protocol === 'https:') return undefined;
  // Plain http is refused by the guarded fetcher's address check (UrlNotAllowed), except loopback when the
  // local-only setting allows it, so the client learns the URL is not allowed rather than malformed.
  if (parsed.protocol === 'http:') return undefined;
  return 'must be an absolute https:// URL';
}
