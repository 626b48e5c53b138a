import type { Ajv2020, ErrorObject } from 'ajv/dist/2020.js';
import type { JsonObject } from '../../domain/json-object.js';
import type { JsonSchemaChecker, JsonSchemaProblem } from '../../domain/json-schema-checker.js';

/** The dialect tool parameters are written in; a schema may name it in `$schema` or leave it out. */
const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

/**
 * Ajv, loaded on first use: it weighs about 25 ms of import, which cold starts of every other function should not pay.
 * `strict: false` accepts keywords Ajv does not know (vendor extensions such as `x-order` are common in tool schemas,
 * and the model ignores what it does not use); `validateFormats: false` takes `format` as the annotation it is for the
 * model, so no format library is needed; `addUsedSchema: false` keeps a schema's `$id` from being registered in the
 * shared instance, where the next schema with the same `$id` would collide with it.
 */
let ajv: Promise<Ajv2020> | undefined;
function loadAjv(): Promise<Ajv2020> {
  // Ajv is CommonJS: Node's ESM loader and the esbuild bundle agree only on `default` (its module.exports, which also
  // carries the class as `Ajv2020`); named exports exist under Node alone.
  ajv ??= import('ajv/dist/2020.js').then(
    ({ default: { Ajv2020: Ajv } }) => new Ajv({ strict: false, validateFormats: false, allErrors: true, addUsedSchema: false }),
  );
  return ajv;
}

function messageOf(error: ErrorObject): string {
  const message = error.message ?? 'is not valid';
  if (error.keyword === 'enum' && Array.isArray(error.params.allowedValues)) {
    return `must be one of ${error.params.allowedValues.map((v: unknown) => JSON.stringify(v)).join(', ')}`;
  }
  return message;
}

/**
 * One problem per place in the schema: for `"type": "nonsense"` the meta-schema reports the enum it missed, that it is
 * not an array either, and that neither branch of the anyOf matched; the first says it best.
 */
function problemsOfMetaErrors(errors: readonly ErrorObject[]): JsonSchemaProblem[] {
  const byPointer = new Map<string, JsonSchemaProblem>();
  for (const error of errors) {
    if (!byPointer.has(error.instancePath)) byPointer.set(error.instancePath, { pointer: error.instancePath, message: messageOf(error) });
  }
  return [...byPointer.values()];
}

/** What compiling can still find wrong in a schema that matches the meta-schema. */
function problemOfCompileError(err: unknown): JsonSchemaProblem {
  if (err instanceof Error && 'missingRef' in err) {
    return { pointer: '', message: `has a $ref that does not resolve inside the schema (${String(err.missingRef)})` };
  }
  if (err instanceof SyntaxError && /regular expression/i.test(err.message)) {
    return { pointer: '', message: `has a pattern that is not a valid regular expression (${err.message})` };
  }
  return { pointer: '', message: 'cannot be compiled as a JSON Schema' };
}

/**
 * The JSON Schema check with Ajv (draft 2020-12): the schema must match the meta-schema, then compile. Remote `$ref`s
 * are never fetched (no `loadSchema`), so one that does not point inside the schema is a problem, not a request.
 */
export function createAjvJsonSchemaChecker(): JsonSchemaChecker {
  return {
    async problemsOf(schema: JsonObject): Promise<readonly JsonSchemaProblem[]> {
      const dialect = schema.$schema;
      if (dialect !== undefined && dialect !== DRAFT_2020_12 && dialect !== `${DRAFT_2020_12}#`) {
        return [{ pointer: '/$schema', message: `must be ${DRAFT_2020_12} or left out` }];
      }
      const validator = await loadAjv();
      if (!validator.validateSchema(schema)) return problemsOfMetaErrors(validator.errors ?? []);
      try {
        validator.compile(schema);
        return [];
      } catch (err) {
        return [problemOfCompileError(err)];
      } finally {
        // Compiled schemas are cached by object; this one is never used again, and the instance lives for the process.
        validator.removeSchema(schema);
      }
    },
  };
}
