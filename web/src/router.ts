import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/companions/comp_1`), so every page is a plain load of the app's folder and the backend serves one file.
 */
export interface Route {
  /** The path's segments: `#/companions/comp_1` → ['companions', 'comp_1']. */
  readonly segments: readonly string[];
  readonly params: URLSearchParams;
}

function parse(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [pathPart = '', queryPart = ''] = hash.split('?');
  return { segments: pathPart.split('/').filter((s) => s !== '').map(decodeURIComponent), params: new URLSearchParams(queryPart) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const update = (): void => setRoute(parse());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** `href` for a page: link('companions', id) → '#/companions/<id>'. */
export function link(...segments: readonly string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

export function navigate(...segments: readonly string[]): void {
  location.hash = link(...segments).slice(1);
}
