import { companionBlobPrefix, type AvatarViewName } from './companion.js';

/**
 * Where a companion's generated files live in the media container, and the routes that serve them to clients. Blob
 * paths are deterministic, so a repeated job overwrites its own files instead of adding new ones.
 */

const EXTENSION_OF: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

export function imageExtensionOf(contentType: string): string {
  const extension = EXTENSION_OF[contentType];
  if (extension === undefined) throw new Error(`no file extension for ${contentType}`);
  return extension;
}

export function avatarViewBlobPath(projectId: string, companionId: string, view: AvatarViewName, contentType: string): string {
  return `${companionBlobPrefix(projectId, companionId)}views/${view}.${imageExtensionOf(contentType)}`;
}

/** The local voice engine keeps the checked sample as the profile, under the sample's own extension. */
export function voiceProfileBlobPath(projectId: string, companionId: string, extension: string): string {
  return `${companionBlobPrefix(projectId, companionId)}voice/profile.${extension}`;
}

/** `GET /public/companions/{id}/assets/{view}`: clients fetch a view with their API key. */
export function companionAssetPath(companionId: string, view: AvatarViewName): string {
  return `/public/companions/${encodeURIComponent(companionId)}/assets/${view}`;
}

/** `GET /public/companions/stock/{id}/preview`: the generated portrait of a stock companion. */
export function stockPreviewPath(stockCompanionId: string): string {
  return `/public/companions/stock/${encodeURIComponent(stockCompanionId)}/preview`;
}

/** The view a client shows first: the 16:9 rectangle when there is one, else the round one. */
export function previewViewOf(views: Partial<Record<AvatarViewName, unknown>>): AvatarViewName | undefined {
  if (views.rectangle !== undefined) return 'rectangle';
  if (views.round !== undefined) return 'round';
  return undefined;
}
