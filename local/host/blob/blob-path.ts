import { HostStartupError } from '../errors.js';

/** A blob trigger path such as `uploads/{name}` or `media/{folder}/{name}.{ext}`. */
export interface BlobPathPattern {
  readonly path: string;
  readonly container: string;
  /** The literal start of the blob name, used as a listing prefix. */
  readonly prefix: string;
  readonly parameterNames: readonly string[];
  match(blobName: string): Record<string, string> | undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Parses a blob trigger path the way the WebJobs SDK does: the container is literal and each `{name}`
 * captures greedily (so it may span `/`), which makes `{name}.{ext}` split at the last dot.
 */
export function parseBlobPath(path: string, where: string): BlobPathPattern {
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw new HostStartupError(`${where}: the blob path "${path}" must be "container/blob-pattern".`);
  }
  const container = path.slice(0, slash);
  const blobPattern = path.slice(slash + 1);
  if (/[{}]/.test(container)) {
    throw new HostStartupError(`${where}: the container of the blob path "${path}" cannot hold parameters.`);
  }

  const names: string[] = [];
  let regex = '^';
  let prefix = '';
  let sawParameter = false;
  const token = /\{([^{}]*)\}|([^{}]+)|([{}])/g;
  for (const match of blobPattern.matchAll(token)) {
    const [, parameter, literal, stray] = match;
    if (stray !== undefined) {
      throw new HostStartupError(`${where}: the blob path "${path}" has an unmatched "${stray}".`);
    }
    if (parameter !== undefined) {
      const name = parameter.trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new HostStartupError(`${where}: "{${parameter}}" in the blob path "${path}" is not a valid name.`);
      }
      if (names.some((n) => n.toLowerCase() === name.toLowerCase())) {
        throw new HostStartupError(`${where}: the blob path "${path}" uses "{${name}}" twice.`);
      }
      names.push(name);
      regex += '([\\s\\S]*)';
      sawParameter = true;
    } else if (literal !== undefined) {
      regex += escapeRegExp(literal);
      if (!sawParameter) prefix += literal;
    }
  }
  const compiled = new RegExp(`${regex}$`);

  return {
    path,
    container,
    prefix,
    parameterNames: names,
    match(blobName) {
      const result = compiled.exec(blobName);
      if (!result) return undefined;
      const values: Record<string, string> = {};
      names.forEach((name, index) => {
        values[name] = result[index + 1] ?? '';
      });
      return values;
    },
  };
}
