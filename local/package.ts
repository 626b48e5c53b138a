import { existsSync, readdirSync, readFileSync, statSync, createWriteStream, mkdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import yazl from 'yazl';
import { REPO_ROOT } from './infra-inventory.js';

/**
 * `npm run package`: the deployable zip of the function app. It holds host.json, a package.json without scripts or
 * dev dependencies, the esbuild bundle (package.json `main`, built by `npm run build`) with its source maps, and of
 * node_modules only the packages the bundle leaves external (`@azure/*`, sharp, ...) with their own dependencies,
 * as package-lock.json resolves them. Everything else is inside the bundle.
 */

interface LockPackage {
  readonly version?: string;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly link?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly type?: string;
  readonly main?: string;
  readonly engines?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
}

export interface PackageResult {
  readonly file: string;
  readonly bytes: number;
  readonly entries: number;
  /** The packages the bundle imports at run time (bare specifiers reduced to package names). */
  readonly externals: readonly string[];
  /** Every node_modules package in the zip, by its folder (node_modules/...). */
  readonly modules: readonly string[];
  readonly warnings: readonly string[];
}

const BUILTINS = new Set(builtinModules);
const PACKAGE_NAME = /^(@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/** The packages a bundle file imports: static imports, re-exports, side-effect imports and literal dynamic imports. */
export function externalImportsOf(code: string): Set<string> {
  const found = new Set<string>();
  const patterns = [/\bfrom\s*"([^"]+)"/g, /\bimport\s*"([^"]+)"/g, /\bimport\(\s*"([^"]+)"\s*\)/g];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      const specifier = match[1] as string;
      if (specifier === '' || specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || specifier.includes('${')) continue;
      const name = packageNameOf(specifier);
      // Minified code also holds such text inside strings; only a valid package name can be an import.
      if (BUILTINS.has(name) || !PACKAGE_NAME.test(name)) continue;
      found.add(name);
    }
  }
  return found;
}

function listFiles(dir: string, skipNodeModules: boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (skipNodeModules && entry.name === 'node_modules') return [];
      return listFiles(full, skipNodeModules);
    }
    return entry.isFile() ? [full] : [];
  });
}

/** Type declarations, source maps and docs of dependencies are never loaded at run time. */
function shipsAtRunTime(file: string): boolean {
  const base = path.basename(file).toLowerCase();
  if (/\.d\.[cm]?ts$/.test(base) || base.endsWith('.map') || base.endsWith('.md') || base.endsWith('.markdown')) return false;
  return true;
}

/** Resolves `name` as Node does from the package folder `from` ('' for the root), in the lockfile's folder layout. */
function resolveInLock(packages: Record<string, LockPackage>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packages[candidate] !== undefined && existsSync(path.join(REPO_ROOT, candidate))) return candidate;
    if (dir === '') return undefined;
    const at = dir.lastIndexOf('/node_modules/');
    dir = at < 0 ? '' : dir.slice(0, at);
  }
}

/** The package folders the externals need: each, and (transitively) their installed dependencies. */
export function dependencyClosure(externals: Iterable<string>): { modules: string[]; missing: string[] } {
  const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
  const packages = lock.packages;
  const seen = new Set<string>();
  const missing: string[] = [];
  const visit = (from: string, name: string, required: boolean): void => {
    const folder = resolveInLock(packages, from, name);
    if (folder === undefined) {
      if (required) missing.push(`${name} (needed by ${from || 'the bundle'})`);
      return;
    }
    if (seen.has(folder)) return;
    seen.add(folder);
    const entry = packages[folder] ?? {};
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(folder, dep, true);
    // Platform packages (sharp's native binaries) are optional: only the installed ones exist, and those are needed.
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(folder, dep, false);
    for (const dep of Object.keys(entry.peerDependencies ?? {})) visit(folder, dep, false);
  };
  for (const name of externals) visit('', name, true);
  return { modules: [...seen].sort(), missing };
}

export interface PackageOptions {
  /**
   * For comparison only (bench/package.ts): the tsc output of functions/ and shared/ with every production
   * dependency, as a deployment without the bundle would be.
   */
  readonly unbundled?: boolean;
}

export async function buildPackage(outFile: string, options: PackageOptions = {}): Promise<PackageResult> {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
  if (manifest.main === undefined) throw new Error('package.json has no "main": the Functions host loads the app from it');
  const main = options.unbundled ? 'dist/functions/index.js' : manifest.main;
  const mainFile = path.join(REPO_ROOT, main);
  if (!existsSync(mainFile)) throw new Error(`${main} is missing: run npm run build first`);

  const appFiles = options.unbundled
    ? ['functions', 'shared'].flatMap((dir) => listFiles(path.join(REPO_ROOT, 'dist', dir), false))
    : listFiles(path.dirname(mainFile), false);
  const externals = new Set<string>();
  if (options.unbundled) {
    for (const name of Object.keys(manifest.dependencies ?? {})) externals.add(name);
  } else {
    for (const file of appFiles) {
      if (file.endsWith('.js')) for (const name of externalImportsOf(readFileSync(file, 'utf8'))) externals.add(name);
    }
  }
  const { modules, missing } = dependencyClosure(externals);
  if (missing.length > 0) throw new Error(`dependencies of the bundle are not installed: ${missing.join(', ')}`);
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  const undeclared = [...externals].filter((name) => !declared.has(name));
  if (undeclared.length > 0) throw new Error(`the bundle imports packages package.json does not list as dependencies: ${undeclared.join(', ')}`);

  const warnings: string[] = [];
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    warnings.push(`native modules (sharp) were installed for ${process.platform}-${process.arch}; Flex Consumption runs linux-x64: package on linux-x64`);
  }

  // The Functions host reads the dependencies it should expect from here; the rest of the manifest stays at home.
  const shippedManifest = {
    name: manifest.name,
    version: manifest.version,
    private: true,
    type: manifest.type,
    main,
    engines: manifest.engines,
    dependencies: Object.fromEntries(Object.entries(manifest.dependencies ?? {}).filter(([name]) => modules.includes(`node_modules/${name}`))),
  };

  // A fixed time stamp: the same build gives the same zip.
  const mtime = new Date('2000-01-01T00:00:00Z');
  const zip = new yazl.ZipFile();
  let entries = 0;
  const add = (absolute: string, inZip: string): void => {
    zip.addFile(absolute, inZip.split(path.sep).join('/'), { mtime, mode: statSync(absolute).mode & 0o777 | 0o100000 });
    entries += 1;
  };
  zip.addBuffer(Buffer.from(`${JSON.stringify(shippedManifest, null, 2)}\n`), 'package.json', { mtime });
  entries += 1;
  add(path.join(REPO_ROOT, 'host.json'), 'host.json');
  for (const file of appFiles.sort()) add(file, path.relative(REPO_ROOT, file));
  // The dashboard, served under /admin by functions/admin-dashboard.ts from dist/admin.
  const dashboard = path.join(REPO_ROOT, 'dist', 'admin');
  if (!existsSync(path.join(dashboard, 'index.html'))) throw new Error('dist/admin is missing: run npm run build first');
  for (const file of listFiles(dashboard, false).sort()) add(file, path.relative(REPO_ROOT, file));
  for (const folder of modules) {
    const absolute = path.join(REPO_ROOT, folder);
    for (const file of listFiles(absolute, true).sort()) {
      if (shipsAtRunTime(file)) add(file, path.relative(REPO_ROOT, file));
    }
  }
  zip.end();

  mkdirSync(path.dirname(outFile), { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(outFile);
    out.on('close', resolve);
    out.on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
  });
  return { file: outFile, bytes: statSync(outFile).size, entries, externals: [...externals].sort(), modules, warnings };
}

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const outArg = process.argv.indexOf('--out');
  const outFile = path.resolve(outArg >= 0 ? (process.argv[outArg + 1] ?? '') : path.join(REPO_ROOT, 'dist', 'companion-api.zip'));
  const result = await buildPackage(outFile);
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(
    [
      `${path.relative(process.cwd(), result.file) || result.file}: ${(result.bytes / MB).toFixed(1)} MB (${result.bytes} bytes), ${result.entries} files`,
      `  bundle externals: ${result.externals.join(', ')}`,
      `  node_modules packages: ${result.modules.length}`,
      '',
    ].join('\n'),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`package failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
