import { randomUUID } from 'node:crypto';
import type { ApiKey, ApiKeyLookup, NewApiKey } from '../../../shared/domain/api-key.js';
import type { ApiKeyLookupRepository } from '../../../shared/domain/api-key-lookup-repository.js';
import type { ApiKeyRepository } from '../../../shared/domain/api-key-repository.js';
import { ConflictError, PreconditionFailedError } from '../../../shared/domain/errors.js';
import type { MemberRoster, NewMemberRoster } from '../../../shared/domain/member.js';
import type { MemberRosterRepository } from '../../../shared/domain/member-roster-repository.js';
import type { MembershipIndex, MembershipIndexEntry } from '../../../shared/domain/membership-index.js';
import type { NewOrganization, Organization } from '../../../shared/domain/organization.js';
import type { OrganizationRepository } from '../../../shared/domain/organization-repository.js';
import { pageOfArray, type Page, type PageRequest } from '../../../shared/domain/page.js';
import type { NewProject, Project } from '../../../shared/domain/project.js';
import type { ProjectDeletionMessage, ProjectDeletionQueue } from '../../../shared/domain/project-deletion.js';
import type { ProjectRepository } from '../../../shared/domain/project-repository.js';
import type { SealedSecret, SecretSealer } from '../../../shared/domain/secret-sealer.js';

/**
 * A document table with the store semantics the services rely on: create-only writes, ETag-conditional replaces
 * (a new ETag per write), idempotent deletes. Counts operations like the Cosmos wrapper does.
 */
export class Table<T extends { etag: string }> {
  readonly rows = new Map<string, T>();
  operations = 0;

  get(key: string): T | undefined {
    this.operations += 1;
    const row = this.rows.get(key);
    return row === undefined ? undefined : structuredClone(row);
  }

  create(key: string, value: Omit<T, 'etag'>): T {
    this.operations += 1;
    if (this.rows.has(key)) throw new ConflictError('exists');
    const row = { ...structuredClone(value), etag: randomUUID() } as T;
    this.rows.set(key, row);
    return structuredClone(row);
  }

  replace(key: string, value: T): T {
    this.operations += 1;
    const current = this.rows.get(key);
    if (current === undefined || current.etag !== value.etag) throw new PreconditionFailedError();
    const row = { ...structuredClone(value), etag: randomUUID() };
    this.rows.set(key, row);
    return structuredClone(row);
  }

  delete(key: string, etag?: string): void {
    this.operations += 1;
    const current = this.rows.get(key);
    if (current === undefined) return;
    if (etag !== undefined && current.etag !== etag) throw new PreconditionFailedError();
    this.rows.delete(key);
  }

  values(): T[] {
    this.operations += 1;
    return [...this.rows.values()].map((row) => structuredClone(row));
  }
}

export class InMemoryOrganizationRepository implements OrganizationRepository {
  readonly table = new Table<Organization>();
  async get(orgId: string) {
    return this.table.get(orgId);
  }
  async create(org: NewOrganization) {
    return this.table.create(org.id, org);
  }
  async replace(org: Organization) {
    return this.table.replace(org.id, org);
  }
}

export class InMemoryMemberRosterRepository implements MemberRosterRepository {
  readonly table = new Table<MemberRoster>();
  /** Runs once before the next replace: lets a test make another writer win the race. */
  beforeNextReplace: (() => void) | undefined;

  async get(orgId: string) {
    return this.table.get(orgId);
  }
  async create(roster: NewMemberRoster) {
    return this.table.create(roster.orgId, roster);
  }
  async replace(roster: MemberRoster) {
    const hook = this.beforeNextReplace;
    this.beforeNextReplace = undefined;
    hook?.();
    return this.table.replace(roster.orgId, roster);
  }
}

export class InMemoryMembershipIndex implements MembershipIndex {
  readonly entries = new Map<string, MembershipIndexEntry>();
  private keyOf(principalKey: string, orgId: string) {
    return `${principalKey}|${orgId}`;
  }
  async listByPrincipal(principalKey: string) {
    return [...this.entries.values()].filter((e) => e.principalKey === principalKey);
  }
  async put(entry: MembershipIndexEntry) {
    this.entries.set(this.keyOf(entry.principalKey, entry.orgId), { ...entry });
  }
  async remove(principalKey: string, orgId: string) {
    this.entries.delete(this.keyOf(principalKey, orgId));
  }
}

export class InMemoryProjectRepository implements ProjectRepository {
  readonly table = new Table<Project>();
  async get(projectId: string) {
    const project = this.table.get(projectId);
    return project?.deletingSince === undefined ? project : undefined;
  }
  async getIncludingDeleting(projectId: string) {
    return this.table.get(projectId);
  }
  async listByOrganization(orgId: string, page: PageRequest, options: { readonly includeDeleting?: boolean } = {}): Promise<Page<Project>> {
    const all = this.table
      .values()
      .filter((p) => p.orgId === orgId && (options.includeDeleting === true || p.deletingSince === undefined))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return pageOfArray(all, page);
  }
  async listDeletingBefore(before: string, limit: number): Promise<Project[]> {
    return this.table
      .values()
      .filter((p) => p.deletingSince !== undefined && p.deletingSince <= before)
      .sort((a, b) => a.deletingSince!.localeCompare(b.deletingSince!))
      .slice(0, limit);
  }
  async create(project: NewProject) {
    return this.table.create(project.id, project);
  }
  async replace(project: Project) {
    return this.table.replace(project.id, project);
  }
  async delete(projectId: string, expectedEtag?: string) {
    this.table.delete(projectId, expectedEtag);
  }
}

/** The `project-deletions` queue: what was sent, for a test to process (or lose). */
export class RecordingProjectDeletionQueue implements ProjectDeletionQueue {
  readonly messages: ProjectDeletionMessage[] = [];
  failing = false;
  async enqueue(message: ProjectDeletionMessage) {
    if (this.failing) throw new Error('queue unavailable');
    this.messages.push({ ...message });
  }
}

export class InMemoryApiKeyRepository implements ApiKeyRepository {
  readonly table = new Table<ApiKey>();
  readonly lastUsed = new Map<string, string>();
  lastUsedWrites = 0;

  private keyOf(projectId: string, keyId: string) {
    return `${projectId}|${keyId}`;
  }
  async get(projectId: string, keyId: string) {
    const key = this.table.get(this.keyOf(projectId, keyId));
    return key === undefined ? undefined : { ...key, lastUsedAt: this.lastUsed.get(keyId) };
  }
  async listByProject(projectId: string, page: PageRequest): Promise<Page<ApiKey>> {
    const all = this.table
      .values()
      .filter((k) => k.projectId === projectId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((k) => ({ ...k, lastUsedAt: this.lastUsed.get(k.id) }));
    return pageOfArray(all, page);
  }
  async listIdsByProject(projectId: string) {
    return this.table
      .values()
      .filter((k) => k.projectId === projectId)
      .map((k) => k.id);
  }
  async create(key: NewApiKey) {
    return this.table.create(this.keyOf(key.projectId, key.id), { ...key, lastUsedAt: undefined });
  }
  async replace(key: ApiKey) {
    return this.table.replace(this.keyOf(key.projectId, key.id), key);
  }
  async delete(projectId: string, keyId: string) {
    this.table.delete(this.keyOf(projectId, keyId));
    this.lastUsed.delete(keyId);
  }
  async recordLastUsed(_projectId: string, keyId: string, at: string) {
    this.lastUsedWrites += 1;
    this.lastUsed.set(keyId, at);
  }
}

export class InMemoryApiKeyLookupRepository implements ApiKeyLookupRepository {
  readonly rows = new Map<string, ApiKeyLookup>();
  reads = 0;
  async find(secretHash: string) {
    this.reads += 1;
    const row = this.rows.get(secretHash);
    return row === undefined ? undefined : { ...row };
  }
  async create(lookup: ApiKeyLookup) {
    if (this.rows.has(lookup.secretHash)) throw new ConflictError('exists');
    this.rows.set(lookup.secretHash, { ...lookup });
  }
  async delete(secretHash: string) {
    this.rows.delete(secretHash);
  }
}

/**
 * Stands in for envelope encryption in unit tests: reversible and recognisably not the plaintext, so tests can check
 * that what is stored is sealed and that opening returns the original.
 */
export class ReversibleTestSealer implements SecretSealer {
  async seal(plaintext: string): Promise<SealedSecret> {
    return {
      v: 1,
      kekId: 'test',
      wrappedKey: 'test',
      wrapIv: 'test',
      wrapTag: 'test',
      iv: 'test',
      tag: 'test',
      ciphertext: Buffer.from(plaintext, 'utf8').reverse().toString('base64url'),
    };
  }
  async open(sealed: SealedSecret): Promise<string> {
    return Buffer.from(sealed.ciphertext, 'base64url').reverse().toString('utf8');
  }
}
