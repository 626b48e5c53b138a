import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { blobContainers, cosmosContainers, knowledgeChunksContainer, REPO_ROOT, storageQueues } from './infra-inventory.js';

/**
 * `npm run infra:sync`: rewrites what in infra/ mirrors the code or infra/main.json:
 * - the lists in infra/main.json (Cosmos containers with partition keys, indexing and TTLs, the knowledge-chunks
 *   definition, storage queues, blob containers);
 * - infra/managed-app/mainTemplate.json, which deploys infra/main.json (inline, so the managed application package is
 *   just mainTemplate.json and createUiDefinition.json) with the parameters the installer chooses.
 * Settings are not rewritten: a new setting needs a parameter and a decision, which test/infra asks for by name.
 */

interface Template {
  parameters: Record<string, Record<string, unknown>>;
  variables: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** The parameters of infra/main.json a managed application's installer chooses (createUiDefinition outputs). */
const MANAGED_APP_PARAMETERS = [
  'location',
  'namePrefix',
  'sessionTokenSecret',
  'cosmosThroughputMode',
  'cosmosAutoscaleMaxThroughput',
  'knowledgeIndex',
  'alwaysReadyHttpInstances',
  'deployOpenAI',
  'manageAuthIssuer',
  'manageAuthAudience',
  'publicBaseUrl',
  'uploadCorsOrigins',
] as const;

const mainFile = path.join(REPO_ROOT, 'infra', 'main.json');
const managedFile = path.join(REPO_ROOT, 'infra', 'managed-app', 'mainTemplate.json');

function syncMain(): Template {
  const template = JSON.parse(readFileSync(mainFile, 'utf8')) as Template;
  template.variables['cosmosContainers'] = cosmosContainers();
  template.variables['knowledgeChunksContainer'] = knowledgeChunksContainer();
  template.variables['storageQueues'] = storageQueues();
  template.variables['blobContainers'] = blobContainers().map(({ name }) => ({ name }));
  writeFileSync(mainFile, `${JSON.stringify(template, null, 2)}\n`);
  return template;
}

function managedAppTemplate(main: Template): unknown {
  const parameters: Record<string, Record<string, unknown>> = {};
  for (const name of MANAGED_APP_PARAMETERS) {
    const definition = main.parameters[name];
    if (definition === undefined) throw new Error(`infra/main.json has no parameter ${name}`);
    parameters[name] = definition;
  }
  parameters['packageUri'] = {
    type: 'string',
    defaultValue: '',
    metadata: {
      description:
        "Set by the publisher, not the installer: the release's zip (npm run package) at a URL the installing subscription can read. Put its default here before uploading the plan's package.",
    },
  };
  const passed = [...MANAGED_APP_PARAMETERS, 'packageUri'];
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: {
      description:
        'Companion API as an Azure managed application: deploys infra/main.json (inline; npm run infra:sync writes this file) into the managed resource group, with the managed identity allowed to read the resource group so that Marketplace metering can find the application and its billingDetails.resourceUsageId.',
    },
    parameters,
    resources: [
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'companion',
        properties: {
          mode: 'Incremental',
          expressionEvaluationOptions: { scope: 'inner' },
          parameters: {
            ...Object.fromEntries(passed.map((name) => [name, { value: `[parameters('${name}')]` }])),
            managedResourceGroupReader: { value: true },
            managedAppMetering: { value: true },
          },
          template: main,
        },
      },
    ],
    outputs: Object.fromEntries(
      Object.entries(main.outputs).map(([name, output]) => [
        name,
        { type: (output as { type: string }).type, value: `[reference('companion').outputs.${name}.value]` },
      ]),
    ),
  };
}

const main = syncMain();
writeFileSync(managedFile, `${JSON.stringify(managedAppTemplate(main), null, 2)}\n`);
process.stdout.write(
  `infra/main.json: ${cosmosContainers().length + 1} Cosmos containers, ${storageQueues().length} queues, ${blobContainers().length} blob containers; infra/managed-app/mainTemplate.json written\n`,
);
