import { z } from 'zod';

export const MAX_MEDIA_URL_LENGTH = 2048;

/** The shape of a media URL at the edge; whether the service will fetch it is mediaUrlProblem's question. */
export const mediaUrlSchema = z
  .string()
  .max(MAX_MEDIA_URL_LENGTH)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute https:// URL' }))
  .describe('a publicly reachable https:// URL');

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Why a media URL is refused before anything is fetched, or undefined. Only its syntax is judged here: HTTPS, no
 * embedded credentials (they would be stored and shown back). Where it points (DNS, private and metadata addresses,
 * redirects) is judged by the guarded fetcher when the file is fetched. `allowPrivateUrls` is the local-only setting
 * that lets tests serve media over loopback HTTP.
 */
export function mediaUrlProblem(url: string, allowPrivateUrls: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute https:// URL';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not contain credentials';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && allowPrivateUrls && LOOPBACK_HOST.test(parsed.hostname)) return undefined;
  return 'must be an absolute https:// URL';
}
