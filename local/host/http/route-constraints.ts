/** An inline route constraint such as `int` or `range(1,10)`, as ASP.NET Core routing defines it. */
export interface RouteConstraint {
  readonly text: string;
  test(value: string): boolean;
}

export class RouteTemplateError extends Error {
  override readonly name = 'RouteTemplateError';
}

const int32 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const int64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

function parseInteger(value: string, range: { min: bigint; max: bigint }): bigint | undefined {
  if (!/^[+-]?\d+$/.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed >= range.min && parsed <= range.max ? parsed : undefined;
}

function integerArgument(text: string, args: string[], index: number): bigint {
  const parsed = parseInteger(args[index]?.trim() ?? '', int64);
  if (parsed === undefined) {
    throw new RouteTemplateError(`The route constraint "${text}" needs an integer argument.`);
  }
  return parsed;
}

function arity(text: string, args: string[], allowed: number[]): void {
  if (!allowed.includes(args.length)) {
    throw new RouteTemplateError(`The route constraint "${text}" has the wrong number of arguments.`);
  }
}

const floatPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const guidPattern = /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i;

export function parseRouteConstraint(text: string): RouteConstraint {
  const match = /^([A-Za-z]+)(?:\(([\s\S]*)\))?$/.exec(text);
  if (!match) {
    throw new RouteTemplateError(`The route constraint "${text}" is not valid.`);
  }
  const name = (match[1] ?? '').toLowerCase();
  const rawArgs = match[2];
  const args = rawArgs === undefined ? [] : name === 'regex' ? [rawArgs] : rawArgs.split(',');
  const constraint = (test: (value: string) => boolean): RouteConstraint => ({ text, test });

  switch (name) {
    case 'int':
      arity(text, args, [0]);
      return constraint((v) => parseInteger(v, int32) !== undefined);
    case 'long':
      arity(text, args, [0]);
      return constraint((v) => parseInteger(v, int64) !== undefined);
    case 'bool':
      arity(text, args, [0]);
      return constraint((v) => /^(true|false)$/i.test(v));
    case 'guid':
      arity(text, args, [0]);
      return constraint((v) => guidPattern.test(v));
    case 'datetime':
      arity(text, args, [0]);
      return constraint((v) => !Number.isNaN(Date.parse(v)));
    case 'decimal':
    case 'double':
    case 'float':
      arity(text, args, [0]);
      return constraint((v) => floatPattern.test(v));
    case 'alpha':
      arity(text, args, [0]);
      return constraint((v) => /^[a-z]*$/i.test(v));
    case 'required':
      arity(text, args, [0]);
      return constraint((v) => v.length > 0);
    case 'minlength': {
      arity(text, args, [1]);
      const min = integerArgument(text, args, 0);
      return constraint((v) => BigInt(v.length) >= min);
    }
    case 'maxlength': {
      arity(text, args, [1]);
      const max = integerArgument(text, args, 0);
      return constraint((v) => BigInt(v.length) <= max);
    }
    case 'length': {
      arity(text, args, [1, 2]);
      const min = integerArgument(text, args, 0);
      const max = args.length === 2 ? integerArgument(text, args, 1) : min;
      return constraint((v) => BigInt(v.length) >= min && BigInt(v.length) <= max);
    }
    case 'min':
    case 'max':
    case 'range': {
      arity(text, args, name === 'range' ? [2] : [1]);
      const low = name === 'max' ? int64.min : integerArgument(text, args, 0);
      const high = name === 'min' ? int64.max : integerArgument(text, args, name === 'range' ? 1 : 0);
      return constraint((v) => {
        const parsed = parseInteger(v, int64);
        return parsed !== undefined && parsed >= low && parsed <= high;
      });
    }
    case 'regex': {
      arity(text, args, [1]);
      let pattern: RegExp;
      try {
        // ASP.NET matches the pattern case-insensitively and unanchored; templates add ^ and $ themselves.
        pattern = new RegExp(args[0] ?? '', 'i');
      } catch {
        throw new RouteTemplateError(`The route constraint "${text}" holds an invalid regular expression.`);
      }
      return constraint((v) => pattern.test(v));
    }
    default:
      throw new RouteTemplateError(`The route constraint "${text}" is not supported.`);
  }
}
