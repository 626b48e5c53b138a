/** The image formats a knowledge base accepts; text is read from them by a vision model. */
export type VisionImageMimeType = 'image/png' | 'image/jpeg';

/**
 * Reads an image the way a person would: its text transcribed, its figures described. Backed by an Azure OpenAI
 * vision deployment; without one, image files fail with VisionNotConfigured. An empty answer means the image holds
 * nothing worth indexing. Errors the deployment keeps returning (after the client's retries) are thrown, so the
 * ingest can be tried again.
 */
export interface VisionDescriber {
  /** Markdown: headings where the image has them, paragraphs, lists, tables as rows. */
  describe(image: Uint8Array, mimeType: VisionImageMimeType): Promise<string>;
}
