import type { FaqCollection, NewFaqCollection } from '../../../shared/domain/faq.js';
import type { FaqRepository } from '../../../shared/domain/faq-repository.js';
import { pageOfArray, type Page, type PageRequest } from '../../../shared/domain/page.js';
import { Table } from './in-memory-ports.js';

export class InMemoryFaqRepository implements FaqRepository {
  readonly table = new Table<FaqCollection>();
  /** Runs once before the next replace: lets a test make another writer win the race. */
  beforeNextReplace: (() => void) | undefined;

  private keyOf(projectId: string, faqId: string) {
    return `${projectId}|${faqId}`;
  }
  async get(projectId: string, faqId: string) {
    return this.table.get(this.keyOf(projectId, faqId));
  }
  async list(projectId: string, page: PageRequest): Promise<Page<FaqCollection>> {
    const all = this.table
      .values()
      .filter((c) => c.projectId === projectId)
      .sort((a, b) => b.created.localeCompare(a.created) || b.id.localeCompare(a.id));
    return pageOfArray(all, page);
  }
  async create(collection: NewFaqCollection) {
    return this.table.create(this.keyOf(collection.projectId, collection.id), collection);
  }
  async replace(collection: FaqCollection) {
    const hook = this.beforeNextReplace;
    this.beforeNextReplace = undefined;
    hook?.();
    return this.table.replace(this.keyOf(collection.projectId, collection.id), collection);
  }
  async delete(projectId: string, faqId: string, expectedEtag?: string) {
    this.table.delete(this.keyOf(projectId, faqId), expectedEtag);
  }
}
