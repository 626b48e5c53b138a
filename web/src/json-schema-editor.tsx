/**
 * A JSON Schema editor for a function's parameters: a monospace textarea that, as you type, reports JSON syntax errors
 * with their line and column, and the structural problems of a tool-parameters schema with their JSON Pointer.
 *
 * The checks are hand-written (a small JSON parser that remembers where each value starts, and a recursive walk of the
 * schema): the page runs under a CSP without 'unsafe-eval', so no validator that generates code (ajv) can be used here.
 * The server still validates against the draft 2020-12 meta-schema; its answer is shown beside the editor as well.
 */
import { useMemo, useRef } from 'preact/hooks';
import type { FieldProblem } from './api';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface SchemaProblem {
  /** JSON Pointer of the place in the schema ('' is the root). */
  readonly pointer: string;
  readonly message: string;
  /** Where that place starts in the text, when known. */
  readonly position?: Position | undefined;
}

export interface JsonSyntaxError {
  readonly message: string;
  readonly position: Position;
}

export type ParseResult = { readonly ok: true; readonly value: unknown; readonly positions: ReadonlyMap<string, Position> } | { readonly ok: false; readonly error: JsonSyntaxError };

// ---------------------------------------------------------------------------------------------------------------------
// JSON parsing with positions

class ParseFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function describeChar(text: string, offset: number): string {
  if (offset >= text.length) return 'the end of the text';
  const ch = text[offset]!;
  if (ch === '\n') return 'a line break';
  if (ch === '\t') return 'a tab';
  return `"${ch}"`;
}

/** Parses JSON text, remembering where each value starts (by JSON Pointer); errors carry their line and column. */
export function parseJson(text: string): ParseResult {
  const offsets = new Map<string, number>();
  let i = 0;

  const skipSpace = (): void => {
    while (i < text.length) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else break;
    }
  };

  const parseString = (): string => {
    // text[i] is the opening quote
    i++;
    let out = '';
    while (true) {
      if (i >= text.length) throw new ParseFailure('Unterminated string: a closing " is missing', i);
      const c = text[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          i += 2;
        } else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new ParseFailure('Invalid \\u escape: four hexadecimal digits expected', i);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else throw new ParseFailure(`Invalid escape sequence \\${e ?? ''} in a string`, i);
        continue;
      }
      if (c.charCodeAt(0) < 0x20) throw new ParseFailure('Control character (such as a line break) inside a string; write it as an escape like \\n', i);
      out += c;
      i++;
    }
  };

  const parseNumber = (): number => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (match === null || match[0] === '' || match[0] === '-') throw new ParseFailure(`Unexpected ${describeChar(text, i)}: a value was expected`, i);
    i += match[0].length;
    return Number(match[0]);
  };

  const parseValue = (pointer: string): unknown => {
    skipSpace();
    offsets.set(pointer, i);
    const c = text[i];
    if (c === '{') {
      i++;
      const object: Record<string, unknown> = {};
      const seen = new Set<string>();
      skipSpace();
      if (text[i] === '}') {
        i++;
        return object;
      }
      while (true) {
        skipSpace();
        if (text[i] !== '"') {
          throw new ParseFailure(text[i] === '}' ? 'Trailing comma before "}"' : `Unexpected ${describeChar(text, i)}: a property name in double quotes was expected`, i);
        }
        const keyOffset = i;
        const key = parseString();
        if (seen.has(key)) throw new ParseFailure(`Duplicate property name "${key}"`, keyOffset);
        seen.add(key);
        skipSpace();
        if (text[i] !== ':') throw new ParseFailure(`Unexpected ${describeChar(text, i)}: ":" was expected after the property name`, i);
        i++;
        object[key] = parseValue(`${pointer}/${escapePointerToken(key)}`);
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return object;
        }
        throw new ParseFailure(`Unexpected ${describeChar(text, i)}: "," or "}" was expected`, i);
      }
    }
    if (c === '[') {
      i++;
      const array: unknown[] = [];
      skipSpace();
      if (text[i] === ']') {
        i++;
        return array;
      }
      while (true) {
        skipSpace();
        if (text[i] === ']') throw new ParseFailure('Trailing comma before "]"', i);
        array.push(parseValue(`${pointer}/${array.length}`));
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return array;
        }
        throw new ParseFailure(`Unexpected ${describeChar(text, i)}: "," or "]" was expected`, i);
      }
    }
    if (c === '"') return parseString();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    if (c === "'") throw new ParseFailure('Strings must use double quotes, not single quotes', i);
    return parseNumber();
  };

  try {
    const value = parseValue('');
    skipSpace();
    if (i < text.length) throw new ParseFailure(`Unexpected ${describeChar(text, i)} after the end of the JSON value`, i);
    const positions = new Map<string, Position>();
    for (const [pointer, offset] of offsets) positions.set(pointer, positionAt(text, offset));
    return { ok: true, value, positions };
  } catch (err) {
    if (err instanceof ParseFailure) return { ok: false, error: { message: err.message, position: positionAt(text, err.offset) } };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Structural checks of a tool-parameters schema

export const JSON_SCHEMA_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNonNegativeInteger = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** The problems of a tool-parameters schema (already parsed), each with its JSON Pointer. */
export function schemaProblems(root: unknown, positions?: ReadonlyMap<string, Position>): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const add = (pointer: string, message: string): void => {
    problems.push({ pointer, message, position: positions?.get(pointer) });
  };

  const checkSchema = (schema: unknown, pointer: string, depth: number, isRoot = false): void => {
    if (depth > 32) {
      add(pointer, 'nests too deeply (at most 32 levels)');
      return;
    }
    if (typeof schema === 'boolean') return;
    if (!isObject(schema)) {
      add(pointer, 'must be a schema: an object (or true / false)');
      return;
    }

    if ('type' in schema && !isRoot) {
      const type = schema.type;
      if (typeof type === 'string') {
        if (!(JSON_SCHEMA_TYPES as readonly string[]).includes(type)) add(`${pointer}/type`, `"${type}" is not a JSON Schema type; use one of ${JSON_SCHEMA_TYPES.join(', ')}`);
      } else if (Array.isArray(type)) {
        if (type.length === 0) add(`${pointer}/type`, 'must list at least one type');
        const seen = new Set<string>();
        type.forEach((t, index) => {
          if (typeof t !== 'string' || !(JSON_SCHEMA_TYPES as readonly string[]).includes(t)) {
            add(`${pointer}/type/${index}`, `${JSON.stringify(t)} is not a JSON Schema type; use one of ${JSON_SCHEMA_TYPES.join(', ')}`);
          } else if (seen.has(t)) add(`${pointer}/type/${index}`, `"${t}" is listed twice`);
          else seen.add(t);
        });
      } else add(`${pointer}/type`, 'must be a type name (such as "string") or an array of them');
    }

    let propertyNames: Set<string> | undefined;
    if ('properties' in schema) {
      const properties = schema.properties;
      if (!isObject(properties)) add(`${pointer}/properties`, 'must be an object whose values are the property schemas');
      else {
        propertyNames = new Set(Object.keys(properties));
        for (const [name, sub] of Object.entries(properties)) checkSchema(sub, `${pointer}/properties/${escapePointerToken(name)}`, depth + 1);
      }
    }

    if ('required' in schema) {
      const required = schema.required;
      if (!Array.isArray(required)) add(`${pointer}/required`, 'must be an array of property names');
      else {
        const seen = new Set<string>();
        required.forEach((name, index) => {
          if (typeof name !== 'string') add(`${pointer}/required/${index}`, 'must be a property name (a string)');
          else if (seen.has(name)) add(`${pointer}/required/${index}`, `"${name}" is listed twice`);
          else {
            seen.add(name);
            if (propertyNames === undefined || !propertyNames.has(name)) add(`${pointer}/required/${index}`, `"${name}" is not defined in properties`);
          }
        });
      }
    }

    if ('enum' in schema) {
      const values = schema.enum;
      if (!Array.isArray(values)) add(`${pointer}/enum`, 'must be an array of the allowed values');
      else if (values.length === 0) add(`${pointer}/enum`, 'must list at least one value');
    }

    if ('pattern' in schema) {
      const pattern = schema.pattern;
      if (typeof pattern !== 'string') add(`${pointer}/pattern`, 'must be a regular expression (a string)');
      else {
        try {
          new RegExp(pattern, 'u');
        } catch (err) {
          add(`${pointer}/pattern`, `is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }

    if ('items' in schema) {
      if (Array.isArray(schema.items)) add(`${pointer}/items`, 'must be one schema (draft 2020-12 lists tuple items in prefixItems)');
      else checkSchema(schema.items, `${pointer}/items`, depth + 1);
    }
    if ('prefixItems' in schema) {
      if (!Array.isArray(schema.prefixItems) || schema.prefixItems.length === 0) add(`${pointer}/prefixItems`, 'must be a non-empty array of schemas');
      else schema.prefixItems.forEach((sub, index) => checkSchema(sub, `${pointer}/prefixItems/${index}`, depth + 1));
    }
    if ('additionalProperties' in schema) checkSchema(schema.additionalProperties, `${pointer}/additionalProperties`, depth + 1);
    if ('not' in schema) checkSchema(schema.not, `${pointer}/not`, depth + 1);
    for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
      if (!(keyword in schema)) continue;
      const list = schema[keyword];
      if (!Array.isArray(list) || list.length === 0) add(`${pointer}/${keyword}`, 'must be a non-empty array of schemas');
      else list.forEach((sub, index) => checkSchema(sub, `${pointer}/${keyword}/${index}`, depth + 1));
    }
    for (const keyword of ['$defs', 'definitions'] as const) {
      if (!(keyword in schema)) continue;
      const defs = schema[keyword];
      if (!isObject(defs)) add(`${pointer}/${keyword}`, 'must be an object of schemas');
      else for (const [name, sub] of Object.entries(defs)) checkSchema(sub, `${pointer}/${keyword}/${escapePointerToken(name)}`, depth + 1);
    }

    for (const keyword of ['description', 'title'] as const) {
      if (keyword in schema && typeof schema[keyword] !== 'string') add(`${pointer}/${keyword}`, 'must be a string');
    }
    for (const keyword of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'] as const) {
      if (keyword in schema && !isNonNegativeInteger(schema[keyword])) add(`${pointer}/${keyword}`, 'must be a non-negative integer');
    }
    for (const keyword of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const) {
      if (keyword in schema && typeof schema[keyword] !== 'number') add(`${pointer}/${keyword}`, 'must be a number');
    }
    if ('multipleOf' in schema && !(typeof schema.multipleOf === 'number' && schema.multipleOf > 0)) add(`${pointer}/multipleOf`, 'must be a number greater than 0');
    if ('uniqueItems' in schema && typeof schema.uniqueItems !== 'boolean') add(`${pointer}/uniqueItems`, 'must be true or false');
  };

  if (!isObject(root)) {
    add('', 'The parameters must be an object schema, such as {"type": "object", "properties": {}}');
    return problems;
  }
  if (root.type !== 'object') {
    add(root.type === undefined ? '' : '/type', 'The root must be an object schema: "type": "object" (a tool takes its arguments as one object)');
  }
  checkSchema(root, '', 0, true);
  return problems;
}

/** The full check of the editor's text: empty text means "no parameters". */
export function checkParametersText(text: string): { syntax?: JsonSyntaxError; problems: SchemaProblem[]; value?: Record<string, unknown> } {
  if (text.trim() === '') return { problems: [] };
  const parsed = parseJson(text);
  if (!parsed.ok) return { syntax: parsed.error, problems: [] };
  const problems = schemaProblems(parsed.value, parsed.positions);
  return { problems, value: isObject(parsed.value) ? parsed.value : undefined };
}

/** The server's `data.parameters.properties.city.type` as a JSON Pointer (`/properties/city/type`). */
export function pointerOfServerPath(path: string): string {
  const rest = path.replace(/^data\.parameters\.?/, '');
  if (rest === '') return '';
  return `/${rest.split('.').map(escapePointerToken).join('/')}`;
}

const showPointer = (pointer: string): string => (pointer === '' ? '(root)' : pointer);

let editorCounter = 0;

export function JsonSchemaEditor(props: {
  value: string;
  onInput: (value: string) => void;
  /** Problems found by the server (400 ValidationFailed), with their `path` as it sent them. */
  serverErrors?: readonly FieldProblem[];
  readOnly?: boolean;
  label?: string;
}) {
  const id = useRef(`schema-editor-${++editorCounter}`).current;
  const check = useMemo(() => checkParametersText(props.value), [props.value]);
  const count = (check.syntax === undefined ? 0 : 1) + check.problems.length;
  const serverErrors = props.serverErrors ?? [];
  const canFormat = !props.readOnly && check.syntax === undefined && props.value.trim() !== '';

  return (
    <div class="field schema-editor">
      <label for={id}>{props.label ?? 'Parameters (JSON Schema)'}</label>
      <small id={`${id}-hint`} class="muted">
        An object schema of the arguments, e.g. {'{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}'}. Leave empty for
        no parameters.
      </small>
      <textarea
        id={id}
        class="code-editor"
        rows={12}
        spellcheck={false}
        autoComplete="off"
        readOnly={props.readOnly}
        aria-invalid={count > 0}
        aria-describedby={`${id}-hint ${id}-status`}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      <div class="row schema-editor-bar">
        {props.readOnly ? null : (
          <button
            type="button"
            class="plain"
            disabled={!canFormat}
            onClick={() => {
              if (check.syntax !== undefined) return;
              try {
                props.onInput(JSON.stringify(JSON.parse(props.value), null, 2));
              } catch {
                // the checker said it parses; nothing to do otherwise
              }
            }}
          >
            Format
          </button>
        )}
        <span id={`${id}-status`} class="muted" role="status">
          {props.value.trim() === '' ? 'No parameters.' : count === 0 ? 'No problems found as you type.' : `${count} problem${count === 1 ? '' : 's'} in the schema.`}
        </span>
      </div>
      {count === 0 ? null : (
        <div class="note error" role="alert">
          {check.syntax === undefined ? null : (
            <p class="schema-problem">
              JSON syntax error at line {check.syntax.position.line}, column {check.syntax.position.column}: {check.syntax.message}
            </p>
          )}
          {check.problems.length === 0 ? null : (
            <ul class="schema-problems" aria-label="Schema problems">
              {check.problems.map((problem) => (
                <li key={`${problem.pointer}:${problem.message}`}>
                  <code>{showPointer(problem.pointer)}</code>
                  {problem.position === undefined ? '' : ` (line ${problem.position.line})`}: {problem.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {serverErrors.length === 0 ? null : (
        <div class="note error" role="alert">
          <p class="schema-problem">The server refused the schema:</p>
          <ul class="schema-problems" aria-label="Problems found by the server">
            {serverErrors.map((problem) => (
              <li key={`${problem.path}:${problem.message}`}>
                <code>{showPointer(pointerOfServerPath(problem.path))}</code>: {problem.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** Whether the editor's text may be saved (no syntax error, no structural problem). */
export function parametersAreValid(text: string): boolean {
  const check = checkParametersText(text);
  return check.syntax === undefined && check.problems.length === 0;
}
