import { parseRouteConstraint, RouteTemplateError, type RouteConstraint } from './route-constraints.js';

export { RouteTemplateError };

export interface RouteLiteralPart {
  readonly kind: 'literal';
  readonly text: string;
}

export interface RouteParameterPart {
  readonly kind: 'parameter';
  readonly name: string;
  readonly optional: boolean;
  readonly catchAll: boolean;
  readonly defaultValue: string | undefined;
  readonly constraints: readonly RouteConstraint[];
}

export type RoutePart = RouteLiteralPart | RouteParameterPart;

export interface RouteSegment {
  readonly parts: readonly RoutePart[];
  /** Only for segments that mix literals and parameters (`{name}.{ext}`). */
  readonly pattern: RegExp | undefined;
}

export interface RouteTemplate {
  readonly template: string;
  readonly segments: readonly RouteSegment[];
  /** ASP.NET Core's inbound precedence, one digit per segment: lower matches first. */
  readonly precedence: readonly number[];
}

export type RouteParams = Record<string, string>;

/** Splits on `/` outside of `{...}`, where a constraint's regular expression may hold a slash. */
function splitSegments(template: string): string[] {
  const segments: string[] = [];
  let current = '';
  let inParameter = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] ?? '';
    const next = template[i + 1];
    if ((char === '{' || char === '}') && next === char) {
      current += char + char;
      i++;
    } else if (char === '{') {
      inParameter = true;
      current += char;
    } else if (char === '}') {
      inParameter = false;
      current += char;
    } else if (char === '/' && !inParameter) {
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  return segments;
}

/** Splits `name:c1:c2(args)=default` at top-level `:` and `=`, leaving parentheses intact. */
function parseParameter(content: string, template: string): RouteParameterPart {
  let rest = content;
  let catchAll = false;
  if (rest.startsWith('**')) {
    catchAll = true;
    rest = rest.slice(2);
  } else if (rest.startsWith('*')) {
    catchAll = true;
    rest = rest.slice(1);
  }
  let optional = false;
  if (rest.endsWith('?')) {
    optional = true;
    rest = rest.slice(0, -1);
  }

  const pieces: { separator: string; text: string }[] = [];
  let depth = 0;
  let separator = '';
  let text = '';
  for (const char of rest) {
    if (char === '(') depth++;
    if (char === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && (char === ':' || char === '=') && separator !== '=') {
      pieces.push({ separator, text });
      separator = char;
      text = '';
    } else {
      text += char;
    }
  }
  pieces.push({ separator, text });

  const [first, ...others] = pieces;
  const name = first?.text.trim() ?? '';
  if (!/^[^{}/?*=:]+$/.test(name)) {
    throw new RouteTemplateError(`The route template "${template}" has a parameter without a valid name.`);
  }
  const constraints: RouteConstraint[] = [];
  let defaultValue: string | undefined;
  for (const piece of others) {
    if (piece.separator === ':') {
      constraints.push(parseRouteConstraint(piece.text));
    } else {
      defaultValue = piece.text;
    }
  }
  if (catchAll && optional) {
    throw new RouteTemplateError(`The route template "${template}" has a catch-all parameter marked optional.`);
  }
  if (optional && defaultValue !== undefined) {
    throw new RouteTemplateError(`The route template "${template}" has an optional parameter with a default value.`);
  }
  return { kind: 'parameter', name, optional, catchAll, defaultValue, constraints };
}

function parseSegmentParts(segment: string, template: string): RoutePart[] {
  const parts: RoutePart[] = [];
  let literal = '';
  const flushLiteral = (): void => {
    if (literal) parts.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i];
    const next = segment[i + 1];
    if ((char === '{' || char === '}') && next === char) {
      literal += char;
      i++;
    } else if (char === '{') {
      let content = '';
      let j = i + 1;
      for (; j < segment.length; j++) {
        const inner = segment[j];
        if ((inner === '{' || inner === '}') && segment[j + 1] === inner) {
          content += inner;
          j++;
        } else if (inner === '}') {
          break;
        } else if (inner === '{') {
          throw new RouteTemplateError(`The route template "${template}" has an unescaped "{" inside a parameter.`);
        } else {
          content += inner;
        }
      }
      if (j >= segment.length) {
        throw new RouteTemplateError(`The route template "${template}" has an unclosed "{".`);
      }
      flushLiteral();
      parts.push(parseParameter(content, template));
      i = j;
    } else if (char === '}') {
      throw new RouteTemplateError(`The route template "${template}" has an unmatched "}".`);
    } else if (char === '?') {
      throw new RouteTemplateError(`The route template "${template}" holds a "?" outside a parameter.`);
    } else {
      literal += char;
    }
  }
  flushLiteral();
  return parts;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function precedenceDigit(segment: RouteSegment): number {
  const [only] = segment.parts;
  if (segment.parts.length > 1 || !only) return 4;
  if (only.kind === 'literal') return 1;
  const digit = only.catchAll ? 5 : 3;
  return only.constraints.length > 0 ? digit - 1 : digit;
}

export function parseRouteTemplate(template: string): RouteTemplate {
  const trimmed = template.replace(/^~?\/+/, '').replace(/\/+$/, '');
  const segmentTexts = trimmed === '' ? [] : splitSegments(trimmed);
  const names = new Set<string>();
  const segments: RouteSegment[] = segmentTexts.map((text, index) => {
    if (text === '') {
      throw new RouteTemplateError(`The route template "${template}" has an empty segment.`);
    }
    const parts = parseSegmentParts(text, template);
    for (const [partIndex, part] of parts.entries()) {
      if (part.kind !== 'parameter') continue;
      const key = part.name.toLowerCase();
      if (names.has(key)) {
        throw new RouteTemplateError(`The route template "${template}" uses the parameter "${part.name}" twice.`);
      }
      names.add(key);
      if (part.catchAll && (parts.length > 1 || index !== segmentTexts.length - 1)) {
        throw new RouteTemplateError(`The route template "${template}" has a catch-all parameter before its end.`);
      }
      if (parts.length > 1 && (part.optional || part.defaultValue !== undefined)) {
        throw new RouteTemplateError(
          `The route template "${template}" has an optional parameter inside a segment with other parts.`,
        );
      }
      if (parts[partIndex + 1]?.kind === 'parameter') {
        throw new RouteTemplateError(`The route template "${template}" has two parameters without a separator.`);
      }
    }
    const pattern =
      parts.length > 1
        ? new RegExp(
            `^${parts.map((p) => (p.kind === 'literal' ? escapeRegExp(p.text) : '([\\s\\S]+)')).join('')}$`,
            'i',
          )
        : undefined;
    return { parts, pattern };
  });

  // An optional segment may only be followed by other optional segments, else matching is ambiguous.
  let sawOptional = false;
  for (const segment of segments) {
    const [only] = segment.parts;
    const isOptional =
      segment.parts.length === 1 &&
      only?.kind === 'parameter' &&
      (only.optional || only.defaultValue !== undefined || only.catchAll);
    if (sawOptional && !isOptional) {
      throw new RouteTemplateError(`The route template "${template}" has a required segment after an optional one.`);
    }
    sawOptional ||= isOptional;
  }

  return { template, segments, precedence: segments.map(precedenceDigit) };
}

/** Path segments of a request path, percent-decoded; one trailing slash is ignored as in ASP.NET. */
export function splitRequestPath(pathname: string): string[] {
  const trimmed = pathname.replace(/^\/+/, '').replace(/\/$/, '');
  if (trimmed === '') return [];
  return trimmed.split('/').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
}

function satisfies(part: RouteParameterPart, value: string): boolean {
  return part.constraints.every((constraint) => constraint.test(value));
}

/** Route values when the path matches, else undefined. Literals compare case-insensitively. */
export function matchRouteTemplate(route: RouteTemplate, pathSegments: readonly string[]): RouteParams | undefined {
  const params: RouteParams = {};
  for (const [index, segment] of route.segments.entries()) {
    const [only] = segment.parts;
    if (!only) return undefined;

    if (segment.parts.length === 1 && only.kind === 'parameter' && only.catchAll) {
      const value = pathSegments.slice(index).join('/');
      if (value !== '') {
        if (!satisfies(only, value)) return undefined;
        params[only.name] = value;
      } else if (only.defaultValue !== undefined) {
        params[only.name] = only.defaultValue;
      }
      return params;
    }

    const value = pathSegments[index];
    if (value === undefined) {
      if (segment.parts.length === 1 && only.kind === 'parameter' && (only.optional || only.defaultValue !== undefined)) {
        if (only.defaultValue !== undefined) params[only.name] = only.defaultValue;
        continue;
      }
      return undefined;
    }

    if (segment.pattern) {
      const match = segment.pattern.exec(value);
      if (!match) return undefined;
      let group = 1;
      for (const part of segment.parts) {
        if (part.kind !== 'parameter') continue;
        const captured = match[group++] ?? '';
        if (!satisfies(part, captured)) return undefined;
        params[part.name] = captured;
      }
    } else if (only.kind === 'literal') {
      if (value.toLowerCase() !== only.text.toLowerCase()) return undefined;
    } else {
      if (value === '' || !satisfies(only, value)) return undefined;
      params[only.name] = value;
    }
  }
  return pathSegments.length > route.segments.length ? undefined : params;
}

/** Orders routes as ASP.NET Core does for inbound matching: literal before parameter before catch-all. */
export function compareRoutePrecedence(a: RouteTemplate, b: RouteTemplate): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const difference = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
