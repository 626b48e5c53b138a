import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { agentLimitExceeded } from '../domain/agent.js';
import type { AgentRepository } from '../domain/agent-repository.js';
import { ORPHANED_AGENT_SLOT_MS, type AgentSlot, type OrganizationAgentSlots } from '../domain/agent-slots.js';
import type { AgentSlotRepository } from '../domain/agent-slot-repository.js';
import type { Clock } from '../domain/clock.js';
import { ConflictError } from '../domain/errors.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface AgentSlotsDeps {
  readonly agentSlots: AgentSlotRepository;
  readonly agents: AgentRepository;
  readonly projects: ProjectRepository;
  readonly clock: Clock;
}

/** Enough rounds for every request of a burst as large as the limit to win one: each round has exactly one winner. */
const EXTRA_ATTEMPTS = 10;

/**
 * The per-organization agent limit, kept under concurrency: an agent takes a slot on its organization's document
 * with an ETag-conditional write before it is created, and gives it back once it is deleted.
 */
export class AgentSlots {
  constructor(
    private readonly deps: AgentSlotsDeps,
    private readonly limit: number,
  ) {}

  /** Takes a slot for `agentId`, or refuses with AgentLimitExceeded. Taking one already held succeeds. */
  async reserve(orgId: string, projectId: string, agentId: string): Promise<void> {
    let attempt = 0;
    await withOptimisticRetry(async () => {
      attempt += 1;
      // Spreads the retries of a burst, so that rounds are not lost to requests that collide again at once.
      if (attempt > 1) await sleep(randomInt(0, 5 + 5 * Math.min(attempt, 10)));
      const current = await this.slotsOf(orgId);
      if (current.slots.some((slot) => slot.agentId === agentId)) return;
      let slots = current.slots;
      if (slots.length >= this.limit) {
        slots = await this.withoutOrphans(current);
        if (slots.length >= this.limit) throw agentLimitExceeded(this.limit);
      }
      const now = this.deps.clock.now().toISOString();
      await writeOrRetry(() =>
        this.deps.agentSlots.replace({ ...current, slots: [...slots, { agentId, projectId, reservedAt: now }], updated: now }),
      );
    }, this.limit + EXTRA_ATTEMPTS);
  }

  /** Gives the slot of a deleted (or never created) agent back; a slot already free is fine. */
  async release(orgId: string, agentId: string): Promise<void> {
    await withOptimisticRetry(async () => {
      const current = await this.deps.agentSlots.get(orgId);
      if (current === undefined || !current.slots.some((slot) => slot.agentId === agentId)) return;
      const now = this.deps.clock.now().toISOString();
      await writeOrRetry(() =>
        this.deps.agentSlots.replace({ ...current, slots: current.slots.filter((slot) => slot.agentId !== agentId), updated: now }),
      );
    }, this.limit + EXTRA_ATTEMPTS);
  }

  /** The organization's document, created empty on first use (create-only, so concurrent first uses agree). */
  private async slotsOf(orgId: string): Promise<OrganizationAgentSlots> {
    const existing = await this.deps.agentSlots.get(orgId);
    if (existing !== undefined) return existing;
    try {
      return await this.deps.agentSlots.create({ orgId, slots: [], updated: this.deps.clock.now().toISOString() });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const created = await this.deps.agentSlots.get(orgId);
      if (created === undefined) throw err;
      return created;
    }
  }

  /**
   * The slots less those whose agent will never exist: old slots of agents that were never created (a request died
   * between the two writes) or whose project has been deleted. Read only when the organization is full.
   */
  private async withoutOrphans(current: OrganizationAgentSlots): Promise<readonly AgentSlot[]> {
    const cutoff = this.deps.clock.now().getTime() - ORPHANED_AGENT_SLOT_MS;
    const old = current.slots.filter((slot) => Date.parse(slot.reservedAt) < cutoff);
    if (old.length === 0) return current.slots;
    const liveIds = new Set<string>();
    for (const projectId of new Set(old.map((slot) => slot.projectId))) {
      if ((await this.deps.projects.get(projectId)) === undefined) continue;
      for (const id of await this.deps.agents.listIds(projectId)) liveIds.add(id);
    }
    return current.slots.filter((slot) => Date.parse(slot.reservedAt) >= cutoff || liveIds.has(slot.agentId));
  }
}
