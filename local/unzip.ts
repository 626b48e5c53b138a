import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import yauzl from 'yauzl';

/**
 * Unzips a deployment package into `into`, as the Functions host's deployment does (file modes kept); refuses
 * entries that would land outside it. Returns the entry names. For the package test and benchmark.
 */
export async function unzipTo(file: string, into: string): Promise<string[]> {
  const root = path.resolve(into);
  const zip = await promisify<string, yauzl.Options, yauzl.ZipFile>(yauzl.open)(file, { lazyEntries: true });
  const names: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      names.push(entry.fileName);
      const target = path.resolve(root, entry.fileName);
      if (!target.startsWith(root + path.sep)) {
        zip.close();
        reject(new Error(`entry outside the folder: ${entry.fileName}`));
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', reject);
        stream.on('end', () => {
          mkdirSync(path.dirname(target), { recursive: true });
          writeFileSync(target, Buffer.concat(chunks), { mode: (entry.externalFileAttributes >>> 16) & 0o777 || 0o644 });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return names;
}
