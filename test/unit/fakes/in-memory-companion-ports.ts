import type { BlobStore } from '../../../shared/domain/blob-store.js';
import type { Companion, NewCompanion } from '../../../shared/domain/companion.js';
import { companionMatches, type CompanionFilter } from '../../../shared/domain/companion-filter.js';
import type { CompanionRepository } from '../../../shared/domain/companion-repository.js';
import type { DigitalTwinClaim, NewDigitalTwinClaim } from '../../../shared/domain/digital-twin-claim.js';
import type { DigitalTwinClaimRepository } from '../../../shared/domain/digital-twin-claim-repository.js';
import type { EventPublisher } from '../../../shared/domain/event-publisher.js';
import type { Page, PageRequest } from '../../../shared/domain/page.js';
import type { WebhookEvent } from '../../../shared/domain/webhook-event.js';
import { Table } from './in-memory-ports.js';

export class InMemoryCompanionRepository implements CompanionRepository {
  readonly table = new Table<Companion>();
  /** Runs once before the next create: lets a test make the store fail after the claim was taken. */
  beforeNextCreate: (() => void) | undefined;

  private keyOf(projectId: string, companionId: string) {
    return `${projectId}|${companionId}`;
  }
  async get(projectId: string, companionId: string) {
    return this.table.get(this.keyOf(projectId, companionId));
  }
  async list(projectId: string, filter: CompanionFilter, page: PageRequest): Promise<Page<Companion>> {
    const all = this.table.values().filter((c) => c.projectId === projectId);
    const matching = all
      .filter((c) => companionMatches(c, filter))
      .sort((a, b) => b.created.localeCompare(a.created) || b.id.localeCompare(a.id));
    const start = page.pageIndex * page.pageSize;
    return {
      items: matching.slice(start, start + page.pageSize),
      filteredCount: matching.length,
      totalCount: all.length,
      pageIndex: page.pageIndex,
      pageSize: page.pageSize,
    };
  }
  async create(companion: NewCompanion) {
    const hook = this.beforeNextCreate;
    this.beforeNextCreate = undefined;
    hook?.();
    return this.table.create(this.keyOf(companion.projectId, companion.id), companion);
  }
  async replace(companion: Companion) {
    return this.table.replace(this.keyOf(companion.projectId, companion.id), companion);
  }
  async delete(projectId: string, companionId: string, expectedEtag?: string) {
    this.table.delete(this.keyOf(projectId, companionId), expectedEtag);
  }
}

export class InMemoryDigitalTwinClaimRepository implements DigitalTwinClaimRepository {
  readonly table = new Table<DigitalTwinClaim>();

  private keyOf(projectId: string, externalClientId: string) {
    return `${projectId}|${externalClientId}`;
  }
  async get(projectId: string, externalClientId: string) {
    return this.table.get(this.keyOf(projectId, externalClientId));
  }
  async create(claim: NewDigitalTwinClaim) {
    return this.table.create(this.keyOf(claim.projectId, claim.externalClientId), claim);
  }
  async delete(projectId: string, externalClientId: string, expectedEtag?: string) {
    this.table.delete(this.keyOf(projectId, externalClientId), expectedEtag);
  }
}

/** Keeps what was published; `failing` makes every publication fail, as an unreachable queue would. */
export class RecordingEventPublisher implements EventPublisher {
  readonly events: WebhookEvent[] = [];
  failing = false;

  async publish(event: WebhookEvent) {
    if (this.failing) throw new Error('queue unavailable');
    this.events.push(structuredClone(event));
  }
}

/** Blob names per container, enough to check what a prefix deletion removes and what it leaves. */
export class InMemoryBlobStore implements BlobStore {
  readonly containers = new Map<string, Set<string>>();

  put(container: string, name: string): void {
    const names = this.containers.get(container) ?? new Set<string>();
    names.add(name);
    this.containers.set(container, names);
  }
  names(container: string): string[] {
    return [...(this.containers.get(container) ?? [])].sort();
  }
  async deleteByPrefix(container: string, prefix: string) {
    if (!prefix.endsWith('/')) throw new Error('prefix must be a folder');
    const names = this.containers.get(container) ?? new Set<string>();
    let deleted = 0;
    for (const name of [...names]) {
      if (name.startsWith(prefix)) {
        names.delete(name);
        deleted += 1;
      }
    }
    return deleted;
  }
}
