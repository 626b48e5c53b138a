import { createHash } from 'node:crypto';
import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { AvatarViewName, Gender } from '../domain/companion.js';
import type { CompanionAssetStore } from '../domain/companion-asset-store.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import { NotFoundError } from '../domain/errors.js';
import { quoteEtag, unquoteEtag } from '../domain/etag.js';
import type { AvatarViewRenderer } from '../domain/media/avatar-views.js';
import type { ImageAsset } from '../domain/media/media-inspector.js';
import { findStockCompanion } from '../domain/stock-companions.js';

export interface CompanionAssetDeps {
  readonly companions: CompanionRepository;
  readonly assetStore: CompanionAssetStore;
  /** Draws the stock companions' portraits. */
  readonly portraits: AvatarViewRenderer;
}

/** A file to send, or "the client's copy is current" when its If-None-Match names the current ETag. */
export type AssetReply =
  | { readonly kind: 'notModified'; readonly etag: string }
  | {
      readonly kind: 'content';
      readonly etag: string;
      readonly contentType: string;
      readonly contentLength: number;
      readonly body: AsyncIterable<Uint8Array> | Uint8Array;
    };

/** RFC 9110: If-None-Match compares weakly and may list several tags or `*`. */
function ifNoneMatchHits(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const current = unquoteEtag(etag);
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || unquoteEtag(tag.replace(/^W\//, '')) === current);
}

interface Portrait {
  readonly image: ImageAsset;
  readonly etag: string;
}

/**
 * Serves generated assets: a companion's avatar views (only to its own project) and the stock catalog's portraits.
 * Stock portraits are drawn from fixed data, so each process draws each one once and keeps it.
 */
export class CompanionAssetService {
  private readonly portraits = new Map<string, Promise<Portrait>>();

  constructor(private readonly deps: CompanionAssetDeps) {}

  async view(principal: ApiKeyPrincipal, companionId: string, view: AvatarViewName, ifNoneMatch: string | undefined): Promise<AssetReply> {
    const companion = await this.deps.companions.get(principal.projectId, companionId);
    const asset = companion?.avatar.views[view];
    if (asset === undefined) throw new NotFoundError('Avatar view');
    const info = await this.deps.assetStore.info(asset.blobPath);
    if (info === undefined) throw new NotFoundError('Avatar view');
    if (ifNoneMatchHits(ifNoneMatch, info.etag)) return { kind: 'notModified', etag: quoteEtag(info.etag) };
    const content = await this.deps.assetStore.open(asset.blobPath);
    if (content === undefined) throw new NotFoundError('Avatar view');
    return { kind: 'content', etag: quoteEtag(content.etag), contentType: content.contentType, contentLength: content.contentLength, body: content.body };
  }

  async stockPreview(stockCompanionId: string, ifNoneMatch: string | undefined): Promise<AssetReply> {
    const stock = findStockCompanion(stockCompanionId);
    if (stock === undefined) throw new NotFoundError('Stock companion');
    let portrait = this.portraits.get(stock.id);
    if (portrait === undefined) {
      portrait = this.drawPortrait(stock.id, stock.description, stock.gender, stock.ethnicity);
      this.portraits.set(stock.id, portrait);
      // A failed drawing is not kept: the next request tries again.
      portrait.catch(() => this.portraits.delete(stock.id));
    }
    const { image, etag } = await portrait;
    if (ifNoneMatchHits(ifNoneMatch, etag)) return { kind: 'notModified', etag };
    return { kind: 'content', etag, contentType: image.mimeType, contentLength: image.bytes.length, body: image.bytes };
  }

  private async drawPortrait(seed: string, description: string, gender: Gender | undefined, ethnicity: string | undefined): Promise<Portrait> {
    const image = await this.deps.portraits.generatePortrait({ description, gender, ethnicity, seed });
    return { image, etag: quoteEtag(createHash('sha256').update(image.bytes).digest('base64url').slice(0, 27)) };
  }
}
