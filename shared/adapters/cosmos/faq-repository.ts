import { z } from 'zod';
import { ConflictError } from '../../domain/errors.js';
import type { FaqCollection, FaqItem, NewFaqCollection, QuestionEmbedding } from '../../domain/faq.js';
import type { FaqRepository } from '../../domain/faq-repository.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';
import { listPageNewestFirst } from './top-n-paging.js';

const CONTAINER = 'faqs';

/**
 * Question embeddings are stored as base64 little-endian float32, not as JSON number arrays: 50 vectors of 1,536
 * numbers as JSON would take about 1.5 MB of the 2 MB a Cosmos DB item may hold; as base64 they take 400 kB.
 */
function encodeVector(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

function decodeVector(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  const vector = new Array<number>(Math.floor(bytes.length / 4));
  for (let i = 0; i < vector.length; i += 1) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}

const embeddingDocument = z.object({ model: z.string(), vector: z.string(), dimensions: z.number().int().positive() });

const itemDocument = z.object({
  id: z.string(),
  question: z.string(),
  answer: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  questionEmbedding: embeddingDocument.nullish(),
});

const faqDocument = z.object({
  id: z.string(),
  type: z.literal('faqCollection'),
  projectId: z.string(),
  orgId: z.string(),
  name: z.string(),
  items: z.array(itemDocument),
  created: z.string(),
  updated: z.string(),
  _etag: z.string(),
});

function toEmbedding(stored: z.output<typeof embeddingDocument>): QuestionEmbedding | undefined {
  const vector = decodeVector(stored.vector);
  // A vector that does not decode to its recorded size is treated as absent: it is re-made on the next write.
  return vector.length === stored.dimensions ? { model: stored.model, vector } : undefined;
}

function toCollection(document: unknown): FaqCollection {
  const { _etag, type: _type, items, ...d } = parseDocument(faqDocument, document, CONTAINER);
  return {
    ...d,
    items: items.map(({ questionEmbedding, ...item }): FaqItem => ({
      ...item,
      questionEmbedding: questionEmbedding == null ? undefined : toEmbedding(questionEmbedding),
    })),
    etag: _etag,
  };
}

function toDocument(collection: NewFaqCollection) {
  return {
    id: collection.id,
    type: 'faqCollection',
    projectId: collection.projectId,
    orgId: collection.orgId,
    name: collection.name,
    items: collection.items.map((item) => ({
      id: item.id,
      question: item.question,
      answer: item.answer,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      questionEmbedding:
        item.questionEmbedding === undefined
          ? undefined
          : {
              model: item.questionEmbedding.model,
              dimensions: item.questionEmbedding.vector.length,
              vector: encodeVector(item.questionEmbedding.vector),
            },
    })),
    created: collection.created,
    updated: collection.updated,
  };
}

/** FAQ collections, partitioned by project: one document per collection with its pairs (at most 50). */
export class CosmosFaqRepository implements FaqRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string, faqId: string): Promise<FaqCollection | undefined> {
    const document = await this.container.read(faqId, projectId);
    // A point read names the partition, but the check keeps isolation independent of the server honouring it.
    if (document === undefined || document.projectId !== projectId) return undefined;
    return toCollection(document);
  }

  async list(projectId: string, page: PageRequest): Promise<Page<FaqCollection>> {
    const where = "c.projectId = @projectId AND c.type = 'faqCollection'";
    const parameters = [{ name: '@projectId', value: projectId }];
    return listPageNewestFirst(
      this.container,
      { where: where, parameters, partitionKey: projectId, orderBy: 'created', page },
      toCollection,
    );
  }

  async create(collection: NewFaqCollection): Promise<FaqCollection> {
    try {
      return toCollection(await this.container.create(toDocument(collection)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The FAQ collection already exists.');
      throw err;
    }
  }

  async replace(collection: FaqCollection): Promise<FaqCollection> {
    return toCollection(await this.container.replace(collection.id, collection.projectId, toDocument(collection), collection.etag));
  }

  async delete(projectId: string, faqId: string, expectedEtag?: string): Promise<void> {
    await this.container.delete(faqId, projectId, expectedEtag);
  }
}
