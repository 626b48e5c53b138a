import type * as FileType from 'file-type';
import type * as MusicMetadata from 'music-metadata';
import type { Sharp, SharpOptions } from 'sharp';

/**
 * The media libraries, imported on first use. Importing them costs tens of milliseconds (sharp also loads libvips),
 * which a function app would otherwise pay on every cold start, including for functions that never touch media.
 */

type SharpFactory = (input?: Buffer | Uint8Array | string, options?: SharpOptions) => Sharp;
type FileTypeModule = typeof FileType;
type MusicMetadataModule = typeof MusicMetadata;

let sharpFactory: Promise<SharpFactory> | undefined;
let fileTypeModule: Promise<FileTypeModule> | undefined;
let musicMetadataModule: Promise<MusicMetadataModule> | undefined;

function once<T>(load: () => Promise<T>, clear: () => void): Promise<T> {
  return load().catch((err: unknown) => {
    clear();
    throw err;
  });
}

export function loadSharp(): Promise<SharpFactory> {
  sharpFactory ??= once(
    async () => (await import('sharp')).default,
    () => (sharpFactory = undefined),
  );
  return sharpFactory;
}

export function loadFileType(): Promise<FileTypeModule> {
  fileTypeModule ??= once(
    () => import('file-type'),
    () => (fileTypeModule = undefined),
  );
  return fileTypeModule;
}

export function loadMusicMetadata(): Promise<MusicMetadataModule> {
  musicMetadataModule ??= once(
    () => import('music-metadata'),
    () => (musicMetadataModule = undefined),
  );
  return musicMetadataModule;
}
