import type { AgentFunctionRepository } from '../domain/agent-function-repository.js';
import type { AgentRepository } from '../domain/agent-repository.js';
import type { AgentSlotRepository } from '../domain/agent-slot-repository.js';
import type { FunctionNameClaimRepository } from '../domain/function-name-claim-repository.js';
import type { JsonSchemaChecker } from '../domain/json-schema-checker.js';
import { CosmosAgentFunctionRepository } from './cosmos/agent-function-repository.js';
import { CosmosAgentRepository } from './cosmos/agent-repository.js';
import { CosmosAgentSlotRepository } from './cosmos/agent-slot-repository.js';
import type { CountedContainer } from './cosmos/counted-container.js';
import { CosmosFunctionNameClaimRepository } from './cosmos/function-name-claim-repository.js';
import { createAjvJsonSchemaChecker } from './json-schema/ajv-json-schema-checker.js';

/** The ports of functions and agents, as the composition root hands them to services. */
export interface AgentPorts {
  readonly agentFunctions: AgentFunctionRepository;
  readonly functionNameClaims: FunctionNameClaimRepository;
  readonly agents: AgentRepository;
  readonly agentSlots: AgentSlotRepository;
  readonly jsonSchemaChecker: JsonSchemaChecker;
}

export function createAgentPorts(container: (id: string) => CountedContainer): AgentPorts {
  const functions = container('functions');
  return {
    agentFunctions: new CosmosAgentFunctionRepository(functions),
    functionNameClaims: new CosmosFunctionNameClaimRepository(functions),
    agents: new CosmosAgentRepository(container('agents')),
    agentSlots: new CosmosAgentSlotRepository(container('agent-slots')),
    jsonSchemaChecker: createAjvJsonSchemaChecker(),
  };
}
