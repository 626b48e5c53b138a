import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COSMOS_CONTAINERS } from '../../shared/adapters/cosmos/containers.js';
import { KNOWLEDGE_CHUNKS_CONTAINER } from '../../shared/adapters/cosmos/knowledge-chunks-container.js';
import { STORAGE_QUEUES } from '../../shared/adapters/queues.js';
import {
  blobContainers,
  configurationSettings,
  cosmosContainers,
  HOST_SETTINGS,
  REPO_ROOT,
  SETTINGS_NOT_DEPLOYED,
} from '../../local/infra-inventory.js';

/**
 * The deployment templates hold every store, setting and permission the code uses. The code's lists are read at test
 * time, so a new container, queue or setting fails here until infra/ has it (`npm run infra:sync` copies the lists;
 * a setting needs a parameter or an entry in SETTINGS_NOT_DEPLOYED with its reason).
 */

interface Resource {
  type: string;
  name: string;
  condition?: string;
  scope?: string;
  properties?: Record<string, unknown>;
  copy?: { name: string; count: string };
  dependsOn?: string[];
  [key: string]: unknown;
}

interface Template {
  parameters: Record<string, { type: string; defaultValue?: unknown }>;
  variables: Record<string, unknown>;
  resources: Resource[];
  outputs: Record<string, { type: string; value: string }>;
}

const readJson = <T>(...segments: string[]): T => JSON.parse(readFileSync(path.join(REPO_ROOT, ...segments), 'utf8')) as T;
const main = readJson<Template>('infra', 'main.json');
const managed = readJson<Template>('infra', 'managed-app', 'mainTemplate.json');
const ui = readJson<{ parameters: { outputs: Record<string, string> } }>('infra', 'managed-app', 'createUiDefinition.json');
const parametersExample = readJson<{ parameters: Record<string, unknown> }>('infra', 'main.parameters.example.json');

const resourcesOf = (type: string): Resource[] => main.resources.filter((r) => r.type === type);
const only = (type: string): Resource => {
  const found = resourcesOf(type);
  expect(found, type).toHaveLength(1);
  return found[0] as Resource;
};

const appSettings = (): Record<string, string> => {
  const config = resourcesOf('Microsoft.Web/sites/config').find((r) => r.name.includes("'{0}/appsettings'"));
  expect(config, 'the appsettings resource').toBeDefined();
  return config?.properties as Record<string, string>;
};

const ROLE = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  keyVaultCryptoUser: '12338af0-0e69-4776-bea7-57ae8d297424',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  cognitiveServicesOpenAIUser: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd',
  monitoringMetricsPublisher: '3913510d-42f4-4b42-9a73-67e5d5cb5e36',
  cognitiveServicesSpeechContributor: '0e75ca1e-0464-4b4d-8b93-68208a576181',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
};
/** Roles that would grant more than data-plane use: never given to the app's identity. */
const BROAD_ROLES = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  storageAccountContributor: '17d1049b-9a84-46fb-8f53-869881c3d3ab',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  keyVaultAdministrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
};

/** Template functions the templates may call (ARM's own); an unknown name is a typo the deployment would reject. */
const ARM_FUNCTIONS = new Set([
  'and', 'concat', 'contains', 'copyIndex', 'createArray', 'createObject', 'deployment', 'empty', 'equals', 'extensionResourceId',
  'format', 'guid', 'if', 'int', 'last', 'length', 'not', 'parameters', 'reference', 'replace', 'resourceGroup', 'resourceId',
  'split', 'subscription', 'subscriptionResourceId', 'take', 'toLower', 'union', 'uniqueString', 'uri', 'variables',
]);

/** Every ARM expression (`[...]`, not the `[[` escape) in a template, with where it is; nested inner-scope templates apart. */
function expressionsOf(node: unknown, where: string, out: { where: string; text: string }[], nested: Template[]): void {
  if (typeof node === 'string') {
    if (node.startsWith('[') && node.endsWith(']') && !node.startsWith('[[')) out.push({ where, text: node.slice(1, -1) });
    return;
  }
  if (Array.isArray(node)) return node.forEach((item, i) => expressionsOf(item, `${where}[${i}]`, out, nested));
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    const innerScope = key === 'template' && (record['expressionEvaluationOptions'] as { scope?: string } | undefined)?.scope === 'inner';
    if (innerScope) nested.push(value as Template);
    else expressionsOf(value, `${where}.${key}`, out, nested);
  }
}

/** Checks quoting, parentheses and names of every expression of a template (and of its inner-scope templates). */
function checkExpressions(template: Template, label: string): number {
  const found: { where: string; text: string }[] = [];
  const nested: Template[] = [];
  const { parameters, variables, ...rest } = template as Template & Record<string, unknown>;
  expressionsOf({ ...rest, parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, v.defaultValue])), variables }, label, found, nested);
  for (const { where, text } of found) {
    let depth = 0;
    let quoted = false;
    for (let i = 0; i < text.length; i += 1) {
      const c = text[i];
      if (quoted) {
        if (c === "'" && text[i + 1] === "'") i += 1;
        else if (c === "'") quoted = false;
      } else if (c === "'") quoted = true;
      else if (c === '(') depth += 1;
      else if (c === ')') depth -= 1;
      expect(depth, `${where}: ${text}`).toBeGreaterThanOrEqual(0);
    }
    expect({ depth, quoted }, `${where}: ${text}`).toEqual({ depth: 0, quoted: false });
    const unquoted = text.replace(/'(?:[^']|'')*'/g, "''");
    for (const [, name] of unquoted.matchAll(/([A-Za-z][A-Za-z0-9]*)\(/g)) expect(ARM_FUNCTIONS.has(name as string), `${where}: ${name}()`).toBe(true);
    for (const [, name] of text.matchAll(/parameters\('([^']+)'\)/g)) expect(parameters, `${where}`).toHaveProperty([name as string]);
    for (const [, name] of text.matchAll(/variables\('([^']+)'\)/g)) expect(variables, `${where}`).toHaveProperty([name as string]);
  }
  return found.length + nested.reduce((n, inner, i) => n + checkExpressions(inner, `${label}.nested[${i}]`), 0);
}

function roleAssignments(template: { resources: Resource[] }): Resource[] {
  return template.resources.flatMap((r) => {
    if (r.type === 'Microsoft.Authorization/roleAssignments') return [r];
    const nested = (r.properties?.['template'] as { resources: Resource[] } | undefined)?.resources;
    return r.type === 'Microsoft.Resources/deployments' && nested ? roleAssignments({ resources: nested }) : [];
  });
}

function assignmentOf(role: string, scopePattern: RegExp): Resource {
  const matches = roleAssignments(main).filter(
    (r) => String(r.properties?.['roleDefinitionId']).includes(role) && scopePattern.test(r.scope ?? ''),
  );
  expect(matches, `role ${role} on ${scopePattern}`).toHaveLength(1);
  return matches[0] as Resource;
}

describe('infra/main.json: settings', () => {
  const settings = appSettings();
  const schema = configurationSettings();

  it('sets every setting the configuration schema reads, unless it is listed as not deployed with a reason', () => {
    const missing = schema.filter((name) => !(name in settings) && !(name in SETTINGS_NOT_DEPLOYED));
    expect(missing, 'settings of shared/config.ts without an app setting in infra/main.json').toEqual([]);
  });

  it('sets nothing the configuration schema or the Functions host does not know', () => {
    const unknown = Object.keys(settings).filter((name) => !schema.includes(name) && !(name in HOST_SETTINGS));
    expect(unknown).toEqual([]);
  });

  it('keeps the not-deployed list honest: each is a setting of the schema and none is deployed anyway', () => {
    for (const name of Object.keys(SETTINGS_NOT_DEPLOYED)) {
      expect(schema, name).toContain(name);
      expect(settings, name).not.toHaveProperty(name);
    }
    // Local-only settings the configuration refuses in Azure are never deployed.
    for (const name of ['COMPANION_DEV_ADMIN_TOKEN', 'COMPANION_ALLOW_PRIVATE_URLS']) expect(settings).not.toHaveProperty(name);
  });

  it('reaches storage, Cosmos DB and Azure OpenAI with the user-assigned identity, never with keys', () => {
    expect(settings['AzureWebJobsStorage__credential']).toBe('managedidentity');
    expect(settings['AzureWebJobsStorage__clientId']).toContain("userAssignedIdentities', variables('names').identity");
    expect(settings['AZURE_CLIENT_ID']).toBe(settings['AzureWebJobsStorage__clientId']);
    expect(settings['AzureWebJobsStorage__accountName']).toBe("[variables('names').storage]");
    for (const name of ['AzureWebJobsStorage', 'COSMOS_KEY', 'AZURE_OPENAI_API_KEY', 'SPEECH_KEY']) expect(settings).not.toHaveProperty(name);
    const storage = only('Microsoft.Storage/storageAccounts');
    expect(storage.properties).toMatchObject({ allowSharedKeyAccess: false, allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2' });
    expect(only('Microsoft.DocumentDB/databaseAccounts').properties).toMatchObject({ disableLocalAuth: true });
    expect(only('Microsoft.CognitiveServices/accounts').properties).toMatchObject({ disableLocalAuth: true });
  });

  it('gives secrets to the app as Key Vault references, never as values', () => {
    const secureParameters = Object.entries(main.parameters)
      .filter(([, p]) => p.type === 'securestring')
      .map(([name]) => name);
    expect(secureParameters.sort()).toEqual(['avatarEngineCallbackSecret', 'marketplaceClientSecret', 'sessionTokenSecret']);
    for (const [name, value] of Object.entries(settings)) {
      for (const secure of secureParameters) expect(value, name).not.toContain(`parameters('${secure}')`);
    }
    expect(settings['SESSION_TOKEN_SECRET']).toMatch(/^\[format\('@Microsoft\.KeyVault\(SecretUri=\{0\}secrets\/\{1\}\/\)'/);
    expect(settings['AVATAR_ENGINE_CALLBACK_SECRET']).toContain('@Microsoft.KeyVault(SecretUri=');
    expect(settings['MARKETPLACE_CLIENT_SECRET']).toContain('@Microsoft.KeyVault(SecretUri=');
    expect(only('Microsoft.Web/sites').properties?.['keyVaultReferenceIdentity']).toContain('userAssignedIdentities');
  });

  it('seals stored credentials with the vault key: KEY_VAULT_KEY_ID is its versionless id, set once the role is assigned', () => {
    expect(settings['KEY_VAULT_KEY_ID']).toBe(
      "[reference(resourceId('Microsoft.KeyVault/vaults/keys', variables('names').keyVault, variables('encryptionKeyName')), '2023-07-01').keyUri]",
    );
    const dependsOn = resourcesOf('Microsoft.Web/sites/config').find((r) => r.name.includes("'{0}/appsettings'"))?.dependsOn ?? [];
    expect(dependsOn.some((d) => d.includes("'Microsoft.Authorization/roleAssignments'") && d.includes("encryptionKeyName")), 'the kek role assignment').toBe(true);
  });

  it('has an example parameters file naming only parameters of the template, with every required one', () => {
    const required = Object.entries(main.parameters)
      .filter(([, p]) => p.defaultValue === undefined)
      .map(([name]) => name);
    for (const name of required) expect(parametersExample.parameters, name).toHaveProperty(name);
    for (const name of Object.keys(parametersExample.parameters)) expect(main.parameters, name).toHaveProperty(name);
  });
});

describe('infra/main.json: stores', () => {
  it('creates every Cosmos DB container with the code\'s partition key, indexing policy and time to live', () => {
    expect(main.variables['cosmosContainers']).toEqual(cosmosContainers());
    const loop = resourcesOf('Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers').find((r) => r.copy !== undefined);
    expect(loop?.copy?.count).toBe("[length(variables('cosmosContainers'))]");
    const resource = String(loop?.properties?.['resource']);
    expect(resource).toContain("variables('cosmosContainers')[copyIndex()].partitionKeyPath");
    expect(resource).toContain("'indexingPolicy'");
    expect(resource).toContain("'defaultTtl'");

    const created = new Map<string, string>(
      (main.variables['cosmosContainers'] as { id: string; partitionKeyPath: string }[]).map((c) => [c.id, c.partitionKeyPath]),
    );
    const chunks = main.variables['knowledgeChunksContainer'] as { id: string; partitionKey: { paths: string[] } };
    created.set(chunks.id, chunks.partitionKey.paths[0] as string);
    for (const container of COSMOS_CONTAINERS) expect(created.get(container.id), container.id).toBe(container.partitionKeyPath);
    expect(created.size).toBe(COSMOS_CONTAINERS.length);
  });

  it('creates knowledge-chunks with the vector and full-text policies of the code when the Cosmos index is chosen', () => {
    expect(main.variables['knowledgeChunksContainer']).toEqual(JSON.parse(JSON.stringify(KNOWLEDGE_CHUNKS_CONTAINER)));
    const chunks = resourcesOf('Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers').find((r) =>
      r.name.includes("variables('knowledgeChunksContainer').id"),
    );
    expect(String(chunks?.properties?.['resource'])).toMatch(/^\[if\(variables\('cosmosVectorIndex'\), union\(variables\('knowledgeChunksContainer'\)/);
    expect(main.variables['cosmosVectorIndex']).toBe("[equals(parameters('knowledgeIndex'), 'cosmos')]");
    // The account needs the capabilities for those policies.
    expect(String(main.variables['cosmosCapabilities'])).toContain('EnableNoSQLVectorSearch');
    expect(String(main.variables['cosmosCapabilities'])).toContain('EnableNoSQLFullTextSearch');
  });

  it('is serverless by default, with autoscale throughput as the option', () => {
    expect(main.parameters['cosmosThroughputMode']?.defaultValue).toBe('serverless');
    expect(String(main.variables['cosmosCapabilities'])).toContain("'EnableServerless'");
    expect(String(main.variables['cosmosContainerOptions'])).toContain("'autoscaleSettings'");
  });

  it('creates every storage queue the code names, poison queues included', () => {
    const queues = (main.variables['storageQueues'] as { name: string }[]).map((q) => q.name);
    for (const queue of STORAGE_QUEUES) expect(queues, queue.name).toContain(queue.name);
    const loop = resourcesOf('Microsoft.Storage/storageAccounts/queueServices/queues')[0];
    expect(loop?.copy?.count).toBe("[length(variables('storageQueues'))]");
  });

  it('creates every blob container the code names, and the deployment package container', () => {
    const code = blobContainers();
    expect(code.map((c) => c.name)).toEqual(expect.arrayContaining(['companions', 'knowledge']));
    const created = (main.variables['blobContainers'] as { name: string }[]).map((c) => c.name);
    for (const container of code) expect(created, `${container.name} (${container.declaredIn})`).toContain(container.name);
    const containers = resourcesOf('Microsoft.Storage/storageAccounts/blobServices/containers');
    expect(containers.some((c) => c.copy?.count === "[length(variables('blobContainers'))]")).toBe(true);
    expect(containers.some((c) => c.name.includes("variables('deploymentContainer')"))).toBe(true);
  });

  it('subscribes every blob trigger through the Event Grid system topic in the post-deployment script', () => {
    const topic = only('Microsoft.EventGrid/systemTopics');
    expect(topic.properties).toMatchObject({ topicType: 'Microsoft.Storage.StorageAccounts' });
    expect(String(topic.properties?.['source'])).toContain('Microsoft.Storage/storageAccounts');

    const triggers: string[] = [];
    for (const file of readdirSync(path.join(REPO_ROOT, 'functions')).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(REPO_ROOT, 'functions', file), 'utf8');
      for (const match of text.matchAll(/app\.storageBlob\(([A-Z_]+),\s*\{\s*path:\s*`\$\{([A-Z_]+)\}\//g)) {
        const constValue = (name: string): string => {
          const all = [text, ...readdirSync(path.join(REPO_ROOT, 'shared', 'domain'), { recursive: true, encoding: 'utf8' })
            .filter((f) => f.endsWith('.ts'))
            .map((f) => readFileSync(path.join(REPO_ROOT, 'shared', 'domain', f), 'utf8'))].join('\n');
          const found = new RegExp(`export const ${name}\\s*=\\s*'([^']+)'`).exec(all);
          expect(found, name).not.toBeNull();
          return found?.[1] as string;
        };
        triggers.push(`${constValue(match[1] as string)}:${constValue(match[2] as string)}`);
        // Flex Consumption runs blob triggers only through Event Grid.
        expect(text.slice(match.index)).toMatch(/^[^]*?source:\s*'EventGrid'/);
      }
    }
    expect(triggers.length).toBeGreaterThanOrEqual(2);
    const script = readFileSync(path.join(REPO_ROOT, 'infra', 'post-deploy.sh'), 'utf8');
    const listed = /BLOB_TRIGGERS=\(([^)]*)\)/.exec(script)?.[1]?.match(/"([^"]+)"/g)?.map((s) => s.slice(1, -1)) ?? [];
    expect(listed.sort()).toEqual(triggers.sort());
    expect(script).toContain('systemKeys.blobs_extension');
    expect(script).toContain('runtime/webhooks/blobs?functionName=Host.Functions.$FUNCTION');
  });
});

describe('infra/main.json: the function app', () => {
  it('runs on Flex Consumption with Node 20 and always-ready instances for HTTP', () => {
    expect(only('Microsoft.Web/serverfarms').sku).toEqual({ tier: 'FlexConsumption', name: 'FC1' });
    const site = only('Microsoft.Web/sites');
    const config = site.properties?.['functionAppConfig'] as Record<string, Record<string, unknown>>;
    expect(config['runtime']).toEqual({ name: 'node', version: "[parameters('nodeVersion')]" });
    expect(main.parameters['nodeVersion']?.defaultValue).toBe('20');
    expect(String(config['scaleAndConcurrency']?.['alwaysReady'])).toContain("'name', 'http'");
    expect(main.parameters['alwaysReadyHttpInstances']?.defaultValue).toBe(1);
    expect(config['deployment']?.['storage']).toMatchObject({ type: 'blobContainer', authentication: { type: 'UserAssignedIdentity' } });
    expect(site.identity).toMatchObject({ type: 'UserAssigned' });
    expect(site.properties).toMatchObject({ httpsOnly: true });
  });
});

describe('infra/main.json: permissions', () => {
  it('grants each data-plane access the code makes to the app identity, and nothing broader', () => {
    const storage = /^\[format\('Microsoft\.Storage\/storageAccounts\/\{0\}'/;
    assignmentOf(ROLE.storageBlobDataContributor, storage);
    assignmentOf(ROLE.storageQueueDataContributor, storage);
    assignmentOf(ROLE.keyVaultCryptoUser, /Microsoft\.KeyVault\/vaults\/\{0\}\/keys\/\{1\}/);
    assignmentOf(ROLE.monitoringMetricsPublisher, /Microsoft\.Insights\/components/);
    expect(assignmentOf(ROLE.cognitiveServicesOpenAIUser, /Microsoft\.CognitiveServices\/accounts\/\{0\}/).condition).toBe("[parameters('deployOpenAI')]");
    assignmentOf(ROLE.cognitiveServicesSpeechContributor, /Microsoft\.CognitiveServices\/accounts/);
    expect(assignmentOf(ROLE.reader, /^$/).condition).toBe("[parameters('managedResourceGroupReader')]");

    for (const assignment of roleAssignments(main)) {
      const definition = String(assignment.properties?.['roleDefinitionId']);
      for (const [name, id] of Object.entries(BROAD_ROLES)) expect(definition, name).not.toContain(id);
      expect(assignment.properties?.['principalType']).toBe('ServicePrincipal');
      expect(String(assignment.properties?.['principalId'])).toMatch(/principalId/);
    }
  });

  it('lets the identity read each Key Vault secret the app settings reference, one by one', () => {
    const referenced = [...JSON.stringify(appSettings()).matchAll(/variables\('([a-zA-Z]+SecretName)'\)/g)].map((m) => m[1] as string);
    expect(new Set(referenced)).toEqual(new Set(['sessionTokenSecretName', 'avatarEngineSecretName', 'marketplaceSecretName']));
    for (const secret of new Set(referenced)) {
      const assignment = roleAssignments(main).find(
        (r) => String(r.properties?.['roleDefinitionId']).includes(ROLE.keyVaultSecretsUser) && (r.scope ?? '').includes(`variables('${secret}')`),
      );
      expect(assignment, secret).toBeDefined();
    }
  });

  it('makes the identity a Cosmos DB data contributor on the database only', () => {
    const assignment = only('Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments');
    expect(String(assignment.properties?.['roleDefinitionId'])).toContain("variables('cosmosDataContributorRole')");
    expect(main.variables['cosmosDataContributorRole']).toBe('00000000-0000-0000-0000-000000000002');
    expect(String(assignment.properties?.['scope'])).toContain("/dbs/{1}', resourceId('Microsoft.DocumentDB/databaseAccounts'");
    expect(String(assignment.properties?.['principalId'])).toContain('userAssignedIdentities');
  });

  it('creates the Key Vault key for envelope encryption, usable only to wrap and unwrap', () => {
    const key = only('Microsoft.KeyVault/vaults/keys');
    expect(key.properties).toMatchObject({ kty: 'RSA', keyOps: ['wrapKey', 'unwrapKey'] });
    expect(only('Microsoft.KeyVault/vaults').properties).toMatchObject({ enableRbacAuthorization: true, enablePurgeProtection: true });
  });

  it('deploys the optional Azure OpenAI account with chat, embedding and realtime deployments', () => {
    const account = only('Microsoft.CognitiveServices/accounts');
    expect(account.condition).toBe("[parameters('deployOpenAI')]");
    const deployments = resourcesOf('Microsoft.CognitiveServices/accounts/deployments').map((d) => d.name);
    for (const kind of ['Chat', 'Embedding', 'Realtime']) expect(deployments.some((n) => n.includes(`openAI${kind}Deployment`)), kind).toBe(true);
  });
});

describe('infra: template expressions', () => {
  it('quote and close every expression, call only template functions, and name only declared parameters and variables', () => {
    expect(checkExpressions(main, 'main.json')).toBeGreaterThan(100);
    expect(checkExpressions(managed, 'mainTemplate.json')).toBeGreaterThan(100);
    // copyIndex() belongs to resources with a copy loop only.
    for (const resource of main.resources) {
      if (JSON.stringify(resource).includes('copyIndex()')) expect(resource.copy, resource.name).toBeDefined();
    }
  });
});

describe('infra: outputs', () => {
  it('never outputs a secret, a key or a connection string', () => {
    for (const template of [main, managed]) {
      for (const [name, output] of Object.entries(template.outputs)) {
        expect(output.type, name).not.toMatch(/secure/i);
        expect(output.value, name).not.toMatch(/list[A-Z]\w*\(|listKeys|ConnectionString|InstrumentationKey|Secret'\)/);
        for (const secure of Object.keys(main.parameters).filter((p) => main.parameters[p]?.type === 'securestring')) {
          expect(output.value, name).not.toContain(`parameters('${secure}')`);
        }
      }
    }
  });
});

describe('infra/managed-app', () => {
  it('deploys infra/main.json as it is (npm run infra:sync keeps the copy)', () => {
    const deployment = managed.resources.find((r) => r.type === 'Microsoft.Resources/deployments');
    expect(deployment?.properties?.['template']).toEqual(main);
    const passed = deployment?.properties?.['parameters'] as Record<string, { value: unknown }>;
    expect(passed['managedResourceGroupReader']).toEqual({ value: true });
    for (const name of Object.keys(managed.parameters)) expect(passed[name], name).toEqual({ value: `[parameters('${name}')]` });
    for (const name of Object.keys(passed)) expect(main.parameters, name).toHaveProperty(name);
  });

  it('has UI outputs that are exactly the template parameters the installer chooses', () => {
    const outputs = Object.keys(ui.parameters.outputs);
    for (const name of outputs) expect(managed.parameters, name).toHaveProperty(name);
    const required = Object.entries(managed.parameters)
      .filter(([, p]) => p.defaultValue === undefined)
      .map(([name]) => name);
    for (const name of required) expect(outputs, name).toContain(name);
    // Only the publisher's release URL is not the installer's to choose.
    expect(Object.keys(managed.parameters).filter((name) => !outputs.includes(name))).toEqual(['packageUri']);
    expect(ui.parameters.outputs['location']).toBe('[location()]');
  });
});
