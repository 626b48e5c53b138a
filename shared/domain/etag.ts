/**
 * ETags are opaque version strings from the store. Cosmos DB sends them quoted, the local Cosmos server unquoted,
 * so comparisons ignore the quotes and HTTP always shows them quoted (RFC 9110 entity-tag syntax).
 */
export function unquoteEtag(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

export function quoteEtag(etag: string): string {
  return `"${unquoteEtag(etag)}"`;
}

/**
 * Whether an If-Match header value admits the current ETag. It may list several tags; `*` matches anything that
 * exists; weak tags never match (strong comparison). Unquoted tags are accepted, as hand-written clients drop quotes.
 */
export function ifMatchSatisfied(ifMatch: string, currentEtag: string): boolean {
  const candidates = ifMatch
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  if (candidates.length === 0 || candidates.includes('*')) return true;
  const current = unquoteEtag(currentEtag);
  return candidates.some((tag) => !tag.startsWith('W/') && unquoteEtag(tag) === current);
}
