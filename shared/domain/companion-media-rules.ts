import type { AvatarVersion, CompanionMedia, MediaKind } from './companion.js';
import type { FieldProblem } from './errors.js';
import { mediaUrlProblem } from './media-url.js';

export interface MediaUrls {
  readonly pictureUrl?: string | undefined;
  readonly videoUrl?: string | undefined;
  readonly voiceUrl?: string | undefined;
}

/**
 * The likeness must suit the avatar model (seed: `pictureUrl` for v1, `videoUrl` for v2). A twin must bring it; a
 * companion may leave it out (then its portrait is generated, or the file is uploaded later).
 */
export function likenessProblems(version: AvatarVersion, urls: MediaUrls, required: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (version === 'v1' && urls.videoUrl !== undefined) {
    problems.push({ path: 'videoUrl', message: 'is for version v2; version v1 takes pictureUrl' });
  }
  if (version === 'v2' && urls.pictureUrl !== undefined) {
    problems.push({ path: 'pictureUrl', message: 'is for version v1; version v2 takes videoUrl' });
  }
  if (required && version === 'v1' && urls.pictureUrl === undefined) {
    problems.push({ path: 'pictureUrl', message: 'is required for version v1: a reference image of the person' });
  }
  if (required && version === 'v2' && urls.videoUrl === undefined) {
    problems.push({ path: 'videoUrl', message: 'is required for version v2: a video of the person speaking' });
  }
  return problems;
}

export function mediaUrlProblems(urls: MediaUrls, allowPrivateUrls: boolean): FieldProblem[] {
  return Object.entries(urls).flatMap(([path, url]): FieldProblem[] => {
    if (url === undefined) return [];
    const message = mediaUrlProblem(url, allowPrivateUrls);
    return message === undefined ? [] : [{ path, message }];
  });
}

/** Media given by URL waits to be fetched and checked. */
export function mediaFromUrls(urls: MediaUrls): Partial<Record<MediaKind, CompanionMedia>> {
  const media: Partial<Record<MediaKind, CompanionMedia>> = {};
  if (urls.pictureUrl !== undefined) media.picture = { source: 'url', url: urls.pictureUrl, status: 'awaiting' };
  if (urls.videoUrl !== undefined) media.video = { source: 'url', url: urls.videoUrl, status: 'awaiting' };
  if (urls.voiceUrl !== undefined) media.voice = { source: 'url', url: urls.voiceUrl, status: 'awaiting' };
  return media;
}
