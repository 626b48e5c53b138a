/**
 * The query string as a plain object for schema validation. A name given more than once, or written `name[]`
 * (`statuses[]=a&statuses[]=b`), becomes an array; otherwise the value is a string.
 */
export function queryObjectOf(query: URLSearchParams): Record<string, string | string[]> {
  // A Map, then fromEntries: a parameter named `__proto__` becomes a plain field, never the object's prototype.
  const values = new Map<string, string | string[]>();
  for (const [rawName, value] of query) {
    const isArray = rawName.endsWith('[]');
    const name = isArray ? rawName.slice(0, -2) : rawName;
    const existing = values.get(name);
    if (existing === undefined) values.set(name, isArray ? [value] : value);
    else if (Array.isArray(existing)) existing.push(value);
    else values.set(name, [existing, value]);
  }
  return Object.fromEntries(values);
}
