import type { AgentRepository } from '../domain/agent-repository.js';
import { AGENTS_NAMED_IN_USE, faqCollectionInUse } from '../domain/companion-usage.js';
import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import { NotFoundError, ValidationError, type FieldProblem } from '../domain/errors.js';
import { checkFaqItemCount, type FaqCollection, type FaqItem } from '../domain/faq.js';
import type { FaqRepository } from '../domain/faq-repository.js';
import { newId } from '../domain/ids.js';
import type { EmbeddingClient } from '../domain/knowledge/embeddings.js';
import type { Page, PageRequest } from '../domain/page.js';
import { withQuestionEmbeddings } from './faq-question-embeddings.js';
import { checkIfMatch, withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface FaqPairInput {
  readonly question: string;
  readonly answer: string;
}

export interface NewFaqCollectionInput {
  readonly name: string;
  readonly faqs?: readonly FaqPairInput[] | undefined;
}

/** PATCH: `faqs` replaces the pairs; a pair with the `id` of an existing one updates it and keeps its id. */
export interface FaqCollectionChanges {
  readonly name?: string | undefined;
  readonly faqs?: readonly (FaqPairInput & { readonly id?: string | undefined })[] | undefined;
}

export interface FaqItemChanges {
  readonly question?: string | undefined;
  readonly answer?: string | undefined;
}

export interface FaqServiceDeps {
  readonly faqs: FaqRepository;
  /** Answers which agents list a collection: one in use cannot be deleted. */
  readonly agents: Pick<AgentRepository, 'agentIdsUsingFaqCollection'>;
  /** The platform's embedding deployment; undefined means pairs are matched lexically only. */
  readonly embeddings: EmbeddingClient | undefined;
  readonly clock: Clock;
}

/**
 * FAQ collections of the API key's project. The whole collection is one document, so every change (of the name or
 * of one pair) is one ETag-conditional write of it, and If-Match on a pair's route names the collection's ETag.
 */
export class FaqService {
  constructor(private readonly deps: FaqServiceDeps) {}

  async list(principal: ApiKeyPrincipal, page: PageRequest): Promise<Page<FaqCollection>> {
    return this.deps.faqs.list(principal.projectId, page);
  }

  async get(principal: ApiKeyPrincipal, faqId: string): Promise<FaqCollection> {
    return this.collectionOf(principal.projectId, faqId);
  }

  async create(principal: ApiKeyPrincipal, input: NewFaqCollectionInput): Promise<FaqCollection> {
    const pairs = input.faqs ?? [];
    checkFaqItemCount(pairs.length);
    const now = this.now();
    const items = await withQuestionEmbeddings(
      pairs.map((pair) => newItem(pair, now)),
      this.deps.embeddings,
    );
    return this.deps.faqs.create({
      id: newId('faq'),
      projectId: principal.projectId,
      orgId: principal.orgId,
      name: input.name,
      items,
      created: now,
      updated: now,
    });
  }

  async update(principal: ApiKeyPrincipal, faqId: string, changes: FaqCollectionChanges, ifMatch: string | undefined): Promise<FaqCollection> {
    if (changes.faqs !== undefined) checkFaqItemCount(changes.faqs.length);
    return this.change(principal.projectId, faqId, ifMatch, (current, now) => ({
      name: changes.name ?? current.name,
      items: changes.faqs === undefined ? current.items : replacedItems(current.items, changes.faqs, now),
    }));
  }

  async delete(principal: ApiKeyPrincipal, faqId: string, ifMatch: string | undefined): Promise<void> {
    const current = await this.collectionOf(principal.projectId, faqId);
    checkIfMatch(ifMatch, current.etag);
    const users = await this.deps.agents.agentIdsUsingFaqCollection(current.projectId, current.id, AGENTS_NAMED_IN_USE);
    if (users.length > 0) throw faqCollectionInUse(users);
    await this.deps.faqs.delete(current.projectId, current.id, ifMatch === undefined ? undefined : current.etag);
  }

  /** Adds one pair at the end; returns the collection and the new pair's id. */
  async addItem(
    principal: ApiKeyPrincipal,
    faqId: string,
    pair: FaqPairInput,
    ifMatch: string | undefined,
  ): Promise<{ collection: FaqCollection; itemId: string }> {
    const itemId = newId('qa');
    const collection = await this.change(principal.projectId, faqId, ifMatch, (current, now) => {
      checkFaqItemCount(current.items.length + 1);
      return { name: current.name, items: [...current.items, { ...newItem(pair, now), id: itemId }] };
    });
    return { collection, itemId };
  }

  async updateItem(
    principal: ApiKeyPrincipal,
    faqId: string,
    itemId: string,
    changes: FaqItemChanges,
    ifMatch: string | undefined,
  ): Promise<FaqCollection> {
    return this.change(principal.projectId, faqId, ifMatch, (current, now) => {
      const item = itemOf(current, itemId);
      const next = changedItem(item, { question: changes.question ?? item.question, answer: changes.answer ?? item.answer }, now);
      return { name: current.name, items: current.items.map((i) => (i.id === itemId ? next : i)) };
    });
  }

  async deleteItem(principal: ApiKeyPrincipal, faqId: string, itemId: string, ifMatch: string | undefined): Promise<FaqCollection> {
    return this.change(principal.projectId, faqId, ifMatch, (current) => {
      itemOf(current, itemId);
      return { name: current.name, items: current.items.filter((i) => i.id !== itemId) };
    });
  }

  /**
   * The read-modify-write of every change: If-Match against the current ETag, embeddings for new or changed
   * questions, one conditional replace (retried from the read when another writer won). A change that changes
   * nothing is not written.
   */
  private async change(
    projectId: string,
    faqId: string,
    ifMatch: string | undefined,
    apply: (current: FaqCollection, now: string) => { name: string; items: readonly FaqItem[] },
  ): Promise<FaqCollection> {
    return withOptimisticRetry(async () => {
      const current = await this.collectionOf(projectId, faqId);
      checkIfMatch(ifMatch, current.etag);
      const now = this.now();
      const next = apply(current, now);
      if (next.name === current.name && sameItems(current.items, next.items)) return current;
      const items = await withQuestionEmbeddings(next.items, this.deps.embeddings);
      return writeOrRetry(() => this.deps.faqs.replace({ ...current, name: next.name, items, updated: now }));
    });
  }

  private async collectionOf(projectId: string, faqId: string): Promise<FaqCollection> {
    const collection = await this.deps.faqs.get(projectId, faqId);
    if (collection === undefined) throw new NotFoundError('FAQ collection');
    return collection;
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

function newItem(pair: FaqPairInput, now: string): FaqItem {
  return { id: newId('qa'), question: pair.question, answer: pair.answer, createdAt: now, updatedAt: now };
}

/** Keeps the item (and its embedding) when nothing changed; a changed question loses its embedding. */
function changedItem(item: FaqItem, pair: FaqPairInput, now: string): FaqItem {
  if (item.question === pair.question && item.answer === pair.answer) return item;
  return {
    ...item,
    question: pair.question,
    answer: pair.answer,
    updatedAt: now,
    questionEmbedding: item.question === pair.question ? item.questionEmbedding : undefined,
  };
}

function itemOf(collection: FaqCollection, itemId: string): FaqItem {
  const item = collection.items.find((i) => i.id === itemId);
  if (item === undefined) throw new NotFoundError('FAQ item');
  return item;
}

function replacedItems(
  current: readonly FaqItem[],
  pairs: readonly (FaqPairInput & { readonly id?: string | undefined })[],
  now: string,
): FaqItem[] {
  const byId = new Map(current.map((item) => [item.id, item]));
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const items = pairs.map((pair, index) => {
    if (pair.id === undefined) return newItem(pair, now);
    const existing = byId.get(pair.id);
    if (existing === undefined) problems.push({ path: `faqs.${index}.id`, message: 'is not a pair of this collection' });
    else if (seen.has(pair.id)) problems.push({ path: `faqs.${index}.id`, message: 'is given twice' });
    seen.add(pair.id);
    return existing === undefined ? newItem(pair, now) : changedItem(existing, pair, now);
  });
  if (problems.length > 0) throw new ValidationError(problems);
  return items;
}

function sameItems(a: readonly FaqItem[], b: readonly FaqItem[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
