import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The local stand-in for SESSION_TOKEN_SECRET: generated once into the data folder (mode 0600) and read back after,
 * so tokens survive a restart and every local worker process signs with the same secret. Created with `wx`, so two
 * processes starting together agree on whichever file was written first.
 */
export async function localSessionTokenSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'session-token.secret');
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
    await chmod(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < 32) throw new Error(`${file} holds fewer than 32 characters; delete it to have a new one generated`);
  return secret;
}
