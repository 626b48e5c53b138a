import type { JsonObject } from './json-object.js';

/** One reason a schema is not a valid JSON Schema, at a JSON Pointer inside it (`''` for the schema itself). */
export interface JsonSchemaProblem {
  readonly pointer: string;
  readonly message: string;
}

/**
 * Judges whether a document is a valid JSON Schema (draft 2020-12, the dialect of OpenAI tool parameters): it matches
 * the meta-schema and compiles (every `$ref` resolves inside it, every `pattern` is a valid regular expression). It
 * never fetches anything a schema refers to.
 */
export interface JsonSchemaChecker {
  problemsOf(schema: JsonObject): Promise<readonly JsonSchemaProblem[]>;
}

/** `/properties/a~1b/type` → `properties.a/b.type`, the dotted form of FieldProblem paths. */
export function dottedPathOfPointer(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}
