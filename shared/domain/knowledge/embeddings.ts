/**
 * Text embeddings from the Azure OpenAI embedding deployment of the platform or of a customer's key. Adapters batch
 * inputs and retry 429 and 5xx with backoff, honouring Retry-After; an error that survives the retries is thrown.
 */
export interface EmbeddingClient {
  /** The deployment name, recorded with the vectors so a change of model is noticed. */
  readonly model: string;
  readonly dimensions: number;
  /** One vector per input, in order. */
  embed(texts: readonly string[]): Promise<number[][]>;
}
