import { z } from 'zod';
import { parseRetrySchedule } from './domain/webhook-delivery.js';

/**
 * Every setting the service reads, validated once. A missing or malformed setting stops start-up with a
 * message that names it. Settings come from the process environment (Function App settings in Azure,
 * `local.settings.json` or the shell locally).
 */

const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalUrl = optionalString.pipe(z.url().optional());

const optionalInt = (min: number, max: number) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional(),
  );

const optionalDeployment = optionalString.pipe(
  z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, underscores or hyphens')
    .optional(),
);

/** A loopback host, which the local Azure OpenAI fake listens on. */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const urlSafeSecret = (min: number, max: number) =>
  optionalString.pipe(
    z
      .string()
      .min(min, `must be at least ${min} characters`)
      .max(max, `must be at most ${max} characters`)
      .regex(/^[A-Za-z0-9_-]+$/, 'must contain only URL-safe characters (A-Z a-z 0-9 _ -)')
      .optional(),
  );

/** Every five minutes, at second 0 (NCRONTAB, seconds first). */
export const DEFAULT_KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE = '0 */5 * * * *';

/** A timer schedule as the Functions host reads it: NCRONTAB with 6 fields (5 without seconds), or a TimeSpan. */
const timerSchedule = optionalString.pipe(
  z
    .string()
    .regex(
      /^(\S+\s+){4,5}\S+$|^(\d+\.)?\d{1,2}:\d{2}(:\d{2})?$/,
      'must be an NCRONTAB expression with 6 fields (seconds first) or 5, or a TimeSpan such as 00:05:00',
    )
    .optional(),
);

/** Webhook retry waits as comma-separated seconds (`10,30,60`); unset means the default schedule. */
const retrySchedule = optionalString.transform((text, ctx) => {
  if (text === undefined) return undefined;
  const parsed = parseRetrySchedule(text);
  if ('problem' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  }
  return parsed.delays;
});

export const settingsSchema = z
  .object({
    /** Storage: a connection string, or identity-based settings (`AzureWebJobsStorage__accountName`, ...). */
    AzureWebJobsStorage: optionalString,
    AzureWebJobsStorage__accountName: optionalString,
    AzureWebJobsStorage__blobServiceUri: optionalUrl,
    AzureWebJobsStorage__queueServiceUri: optionalUrl,
    /** Client id of the user-assigned managed identity, when one is used. */
    AZURE_CLIENT_ID: optionalString,

    COSMOS_ENDPOINT: optionalUrl,
    /** Account key; without it the managed identity is used. */
    COSMOS_KEY: optionalString,
    COSMOS_DATABASE: optionalString.transform((v) => v ?? 'companion'),
    /**
     * Local only: PEM file of the local Cosmos server's self-signed certificate. The Cosmos client trusts it for
     * that endpoint alone; TLS checks stay on everywhere else.
     */
    COSMOS_EMULATOR_CERT_FILE: optionalString,

    MANAGE_AUTH_ISSUER: optionalUrl,
    MANAGE_AUTH_AUDIENCE: optionalString,
    /** Overrides the JWKS address found through the issuer's OpenID configuration. */
    MANAGE_AUTH_JWKS_URL: optionalUrl,
    /** The dashboard's own Entra ID application (a single-page app registration); MANAGE_AUTH_AUDIENCE when unset. */
    DASHBOARD_CLIENT_ID: optionalString,
    /** The scope the dashboard asks Entra ID for; `api://<MANAGE_AUTH_AUDIENCE>/.default` when unset. */
    DASHBOARD_API_SCOPE: optionalString,

    COMPANION_DATA_DIR: optionalString.transform((v) => v ?? '.data'),
    COMPANION_DEV_ADMIN_TOKEN: urlSafeSecret(20, 200),
    COMPANION_BOOTSTRAP_API_KEY: urlSafeSecret(20, 200),
    /**
     * Signs session tokens (HS256). Required in Azure, the same on every instance; locally, when unset, one is generated
     * once into `<COMPANION_DATA_DIR>/session-token.secret`.
     */
    SESSION_TOKEN_SECRET: optionalString.pipe(z.string().min(32, 'must have at least 32 characters').max(512).optional()),
    /** How long a session token is valid, and so how long a new session may wait for its start (seconds). */
    SESSION_TOKEN_TTL_SECONDS: optionalInt(10, 3600),
    /** When the session sweeper runs (see sessionSweepSchedule). */
    SESSION_SWEEP_SCHEDULE: timerSchedule,
    COMPANION_ALLOW_PRIVATE_URLS: flag,
    /** Local only: file holding the key that wraps data keys for secrets at rest. */
    COMPANION_SECRET_KEY_FILE: optionalString,
    /**
     * The Key Vault key that wraps the data keys of secrets at rest (RSA-OAEP-256), as its full id:
     * `https://<vault>.vault.azure.net/keys/<name>`, or with `/<version>` to pin one. Required in Azure; unset locally
     * means the local key file.
     */
    KEY_VAULT_KEY_ID: optionalString.pipe(
      z
        .string()
        .regex(
          /^https:\/\/[^/?#\s]+\/keys\/[A-Za-z0-9-]{1,127}(\/[A-Za-z0-9]+)?\/?$/,
          'must be a Key Vault key id: https://<vault>.vault.azure.net/keys/<name>, optionally with /<version>',
        )
        .transform((v) => v.replace(/\/$/, ''))
        .optional(),
    ),
    /** Largest request body accepted, in bytes. */
    COMPANION_MAX_BODY_BYTES: optionalInt(1024, 104_857_600),

    PORT: optionalInt(0, 65535),

    /** A remote avatar rendering service: jobs are POSTed here; unset means the local engine renders. */
    AVATAR_ENGINE_URL: optionalUrl,
    /** Shared with the rendering service: signs submissions and verifies its callbacks (HMAC-SHA256). */
    AVATAR_ENGINE_CALLBACK_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').max(512).optional()),
    /** This service's public address, e.g. `https://companion.example.com`; callback URLs are built from it. */
    COMPANION_PUBLIC_BASE_URL: optionalUrl,
    /** Azure AI Speech for digital twins' personal voices; unset means the local voice engine keeps the sample. */
    SPEECH_ENDPOINT: optionalUrl,
    /** The Speech resource key; without it the managed identity is used. */
    SPEECH_KEY: optionalString,
    /** The language of the consent statement at the start of twins' voice recordings (BCP-47). */
    SPEECH_CONSENT_LOCALE: optionalString.pipe(z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/, 'must be a locale such as en-US').optional()),

    /** The platform's Azure OpenAI resource, e.g. `https://<name>.openai.azure.com`; unset means no platform LLM. */
    AZURE_OPENAI_ENDPOINT: optionalUrl,
    /** The resource key; without it the managed identity is used (role Cognitive Services OpenAI User). */
    AZURE_OPENAI_API_KEY: optionalString,
    AZURE_OPENAI_API_VERSION: optionalString.pipe(
      z.string().regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'must look like 2024-10-21 or 2025-04-01-preview').optional(),
    ),
    AZURE_OPENAI_CHAT_DEPLOYMENT: optionalDeployment,
    AZURE_OPENAI_EMBEDDING_DEPLOYMENT: optionalDeployment,
    /**
     * Sent as `dimensions` with every embedding request (text-embedding-3 models only); unset means the model's own
     * size, which must then be 1536 (text-embedding-3-small, ada-002).
     */
    AZURE_OPENAI_EMBEDDING_DIMENSIONS: optionalInt(1, 3072),
    AZURE_OPENAI_REALTIME_DEPLOYMENT: optionalDeployment,
    /** A vision-capable chat deployment that reads text from images; unset means image files fail with a reason. */
    AZURE_OPENAI_VISION_DEPLOYMENT: optionalDeployment,
    /** Where knowledge chunks are searched: `embedded` (in-process, over the chunks in Cosmos) or `cosmos` (Cosmos DB vector and full-text search). */
    KNOWLEDGE_INDEX: optionalString.pipe(z.enum(['embedded', 'cosmos']).optional()),
    /** When the sweep of knowledge files whose upload expired runs (see knowledgeUploadExpirySchedule). */
    KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE: timerSchedule,
    /** The waits before each webhook delivery retry, in seconds (see shared/domain/webhook-delivery.ts for the default). */
    WEBHOOK_RETRY_SCHEDULE: retrySchedule,

    /** The Marketplace SaaS Fulfillment API v2 (see MarketplaceSettings); unset tenant and client mean no Marketplace. */
    MARKETPLACE_API_URL: optionalUrl,
    MARKETPLACE_AUTHORITY_URL: optionalUrl,
    MARKETPLACE_TENANT_ID: optionalString,
    MARKETPLACE_CLIENT_ID: optionalString,
    /** Without it the managed identity asks for the Marketplace API's token. */
    MARKETPLACE_CLIENT_SECRET: optionalString,
    /** The Marketplace's own application id: the resource of our tokens and the caller (appid/azp) of the webhook. */
    MARKETPLACE_APP_ID: optionalString,
    MARKETPLACE_WEBHOOK_AUDIENCE: optionalString,
    MARKETPLACE_PUBLISHER_TENANT_ID: optionalString,
    MARKETPLACE_WEBHOOK_JWKS_URL: optionalUrl,
    /** When the sweep that deletes unsubscribed organizations' data runs (see marketplaceRetentionSchedule). */
    MARKETPLACE_RETENTION_SCHEDULE: timerSchedule,

    /**
     * A managed-application install: all usage is billed to the application's `resourceUsageId`, found with the managed
     * identity through Azure Resource Manager from the app's resource group (see ManagedAppMeteringSettings).
     */
    MANAGED_APP_METERING: flag,
    /** The resource id of the Function App's resource group (`/subscriptions/<id>/resourceGroups/<name>`). */
    MANAGED_APP_RESOURCE_GROUP_ID: optionalString.pipe(
      z.string().regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i, 'must be /subscriptions/<id>/resourceGroups/<name>').optional(),
    ),
    /** Tests only: the Azure Resource Manager endpoint (https://management.azure.com by default). */
    MANAGEMENT_API_URL: optionalUrl,

    /** Usage submission (see meteringSchedule): minutes after an hour's end before it is submitted, and how far back. */
    METERING_SETTLE_MINUTES: optionalInt(0, 55),
    METERING_LOOKBACK_HOURS: optionalInt(1, 720),

    /** Set by App Service / Azure Functions; its presence means the code runs in Azure. */
    WEBSITE_SITE_NAME: optionalString,
    WEBSITE_INSTANCE_ID: optionalString,
  })
  .superRefine((s, ctx) => {
    const inAzure = s.WEBSITE_SITE_NAME !== undefined;
    if (inAzure && s.COMPANION_ALLOW_PRIVATE_URLS) {
      ctx.addIssue({
        code: 'custom',
        path: ['COMPANION_ALLOW_PRIVATE_URLS'],
        message: 'is a local-only setting and is refused when running in Azure',
      });
    }
    if (inAzure && s.SESSION_TOKEN_SECRET === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_TOKEN_SECRET'],
        message: 'is required when running in Azure: every instance must verify the tokens the others sign',
      });
    }
    if (inAzure && s.KEY_VAULT_KEY_ID === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['KEY_VAULT_KEY_ID'],
        message:
          'is required when running in Azure: customer credentials are sealed with this Key Vault key, since a local key file would differ per instance',
      });
    }
    if (inAzure && s.COMPANION_DEV_ADMIN_TOKEN !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['COMPANION_DEV_ADMIN_TOKEN'],
        message: 'is a local-only setting and is refused when running in Azure',
      });
    }
    if (
      s.AzureWebJobsStorage === undefined &&
      s.AzureWebJobsStorage__accountName === undefined &&
      s.AzureWebJobsStorage__blobServiceUri === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['AzureWebJobsStorage'],
        message: 'is required: a storage connection string, or AzureWebJobsStorage__accountName for identity-based access',
      });
    }
    if (s.COSMOS_ENDPOINT === undefined) {
      ctx.addIssue({ code: 'custom', path: ['COSMOS_ENDPOINT'], message: 'is required' });
    }
    if ((s.AVATAR_ENGINE_URL === undefined) !== (s.AVATAR_ENGINE_CALLBACK_SECRET === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [s.AVATAR_ENGINE_URL === undefined ? 'AVATAR_ENGINE_URL' : 'AVATAR_ENGINE_CALLBACK_SECRET'],
        message: 'AVATAR_ENGINE_URL and AVATAR_ENGINE_CALLBACK_SECRET are set together',
      });
    }
    if (s.AVATAR_ENGINE_URL !== undefined && s.COMPANION_PUBLIC_BASE_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['COMPANION_PUBLIC_BASE_URL'],
        message: 'is required with AVATAR_ENGINE_URL: the rendering service calls back at <COMPANION_PUBLIC_BASE_URL>/callbacks/avatar-engine/<jobId>',
      });
    }
    if (inAzure) {
      for (const name of ['AVATAR_ENGINE_URL', 'COMPANION_PUBLIC_BASE_URL', 'SPEECH_ENDPOINT'] as const) {
        const value = s[name];
        if (value !== undefined && !value.startsWith('https://')) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'must be an https:// URL when running in Azure' });
        }
      }
    }
    if (s.AZURE_OPENAI_ENDPOINT === undefined) {
      for (const name of [
        'AZURE_OPENAI_API_KEY',
        'AZURE_OPENAI_CHAT_DEPLOYMENT',
        'AZURE_OPENAI_EMBEDDING_DEPLOYMENT',
        'AZURE_OPENAI_REALTIME_DEPLOYMENT',
        'AZURE_OPENAI_VISION_DEPLOYMENT',
      ] as const) {
        if (s[name] !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['AZURE_OPENAI_ENDPOINT'], message: `is required when ${name} is set` });
          break;
        }
      }
    } else if (!s.AZURE_OPENAI_ENDPOINT.startsWith('https://')) {
      // Plain http only reaches a local stand-in (the Azure OpenAI fake of the tests), never a real resource.
      const localHttp = s.COMPANION_ALLOW_PRIVATE_URLS && s.AZURE_OPENAI_ENDPOINT.startsWith('http://') && isLoopbackUrl(s.AZURE_OPENAI_ENDPOINT);
      if (!localHttp) {
        ctx.addIssue({
          code: 'custom',
          path: ['AZURE_OPENAI_ENDPOINT'],
          message: 'must be an https:// URL (http:// only to a loopback address with COMPANION_ALLOW_PRIVATE_URLS, locally)',
        });
      }
    }
    if (s.AZURE_OPENAI_EMBEDDING_DIMENSIONS !== undefined && s.AZURE_OPENAI_EMBEDDING_DEPLOYMENT === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['AZURE_OPENAI_EMBEDDING_DEPLOYMENT'],
        message: 'is required when AZURE_OPENAI_EMBEDDING_DIMENSIONS is set',
      });
    }
    if (s.SPEECH_KEY !== undefined && s.SPEECH_ENDPOINT === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SPEECH_ENDPOINT'], message: 'is required when SPEECH_KEY is set' });
    }
    if ((s.MARKETPLACE_TENANT_ID === undefined) !== (s.MARKETPLACE_CLIENT_ID === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [s.MARKETPLACE_TENANT_ID === undefined ? 'MARKETPLACE_TENANT_ID' : 'MARKETPLACE_CLIENT_ID'],
        message: 'MARKETPLACE_TENANT_ID and MARKETPLACE_CLIENT_ID are set together',
      });
    }
    if (s.MANAGED_APP_METERING && s.MANAGED_APP_RESOURCE_GROUP_ID === undefined) {
      ctx.addIssue({ code: 'custom', path: ['MANAGED_APP_RESOURCE_GROUP_ID'], message: 'is required when MANAGED_APP_METERING is on' });
    }
    if (s.MANAGED_APP_METERING && s.MARKETPLACE_TENANT_ID !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['MANAGED_APP_METERING'],
        message: 'bills the managed application; it cannot be combined with the SaaS offer (MARKETPLACE_TENANT_ID)',
      });
    }
    for (const name of ['MARKETPLACE_API_URL', 'MARKETPLACE_AUTHORITY_URL', 'MARKETPLACE_WEBHOOK_JWKS_URL', 'MANAGEMENT_API_URL'] as const) {
      const value = s[name];
      // Plain http only reaches a local stand-in (the Marketplace and Entra fakes of the tests).
      if (value !== undefined && !value.startsWith('https://') && !(s.COMPANION_ALLOW_PRIVATE_URLS && value.startsWith('http://') && isLoopbackUrl(value))) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'must be an https:// URL (http:// only to a loopback address with COMPANION_ALLOW_PRIVATE_URLS, locally)',
        });
      }
    }
    if ((s.MANAGE_AUTH_ISSUER === undefined) !== (s.MANAGE_AUTH_AUDIENCE === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [s.MANAGE_AUTH_ISSUER === undefined ? 'MANAGE_AUTH_ISSUER' : 'MANAGE_AUTH_AUDIENCE'],
        message: 'MANAGE_AUTH_ISSUER and MANAGE_AUTH_AUDIENCE are set together',
      });
    }
  });

export type Settings = z.output<typeof settingsSchema>;

export interface Config {
  readonly inAzure: boolean;
  readonly instanceId: string;
  readonly storage:
    | { readonly kind: 'connectionString'; readonly connectionString: string }
    | { readonly kind: 'identity'; readonly blobServiceUri: string; readonly queueServiceUri: string };
  readonly managedIdentityClientId: string | undefined;
  readonly cosmos: {
    readonly endpoint: string;
    readonly key: string | undefined;
    readonly database: string;
    readonly emulatorCertFile: string | undefined;
  };
  readonly manageAuth:
    | { readonly issuer: string; readonly audience: string; readonly jwksUrl: string | undefined }
    | undefined;
  readonly devAdminToken: string | undefined;
  /** How the dashboard (`/admin`) signs in: Entra ID through MSAL when `/manage` validates Entra tokens. */
  readonly dashboard: {
    readonly entra: { readonly clientId: string; readonly authority: string; readonly scopes: readonly string[] } | undefined;
  };
  readonly bootstrapApiKey: string | undefined;
  readonly dataDir: string;
  readonly allowPrivateUrls: boolean;
  /** The local key file that seals secrets at rest when no Key Vault key is configured. */
  readonly secretKeyFile: string;
  /** The Key Vault key that seals secrets at rest (its id, versionless or pinned); undefined means the local key file. */
  readonly keyVaultKeyId: string | undefined;
  /** Undefined locally when SESSION_TOKEN_SECRET is unset: the runtime then uses the data folder's own. */
  readonly sessionTokenSecret: string | undefined;
  /** Session token lifetime, and a new session's start deadline (default 900 s). */
  readonly sessionTokenTtlSeconds: number;
  readonly maxBodyBytes: number;
  readonly port: number;
  /** The remote avatar rendering service; undefined means the local engine. */
  readonly avatarEngine:
    | { readonly url: string; readonly callbackSecret: string; readonly publicBaseUrl: string }
    | undefined;
  readonly publicBaseUrl: string | undefined;
  /** Azure AI Speech personal voice; undefined means the local voice engine. */
  readonly speech: { readonly endpoint: string; readonly key: string | undefined; readonly consentLocale: string } | undefined;
  /** The platform's Azure OpenAI resource; undefined means none (no platform embeddings, chat or vision). */
  readonly openai: AzureOpenAISettings | undefined;
  /** The knowledge index implementation: in-process over Cosmos documents, or Cosmos DB vector + full-text search. */
  readonly knowledgeIndex: 'embedded' | 'cosmos';
  /** The expired-upload sweep's timer schedule. */
  readonly knowledgeUploadExpirySchedule: string;
  /** The waits before each webhook delivery retry, in seconds; undefined means the default (about an hour in all). */
  readonly webhookRetryScheduleSeconds: readonly number[] | undefined;
  /** The Azure Marketplace SaaS fulfillment; undefined means no Marketplace (the landing page and webhook answer 503). */
  readonly marketplace: MarketplaceSettings | undefined;
  /** When closed hours are submitted to the Marketplace: minutes after the hour, and how far back unsettled hours are looked for. */
  readonly metering: { readonly settleDelayMinutes: number; readonly lookbackHours: number };
  /** Metering of a managed-application install; undefined unless MANAGED_APP_METERING is on. */
  readonly managedAppMetering: ManagedAppMeteringSettings | undefined;
}

/** Azure Resource Manager, where the managed identity reads the resource group and the managed application. */
export const DEFAULT_MANAGEMENT_API_URL = 'https://management.azure.com';

export interface ManagedAppMeteringSettings {
  /** Base of Azure Resource Manager (DEFAULT_MANAGEMENT_API_URL unless a test names its fake's). */
  readonly managementUrl: string;
  /** The managed resource group the Function App runs in; its `managedBy` names the application. */
  readonly resourceGroupId: string;
  /** Base of the Marketplace API, for the Metering API. */
  readonly apiUrl: string;
  /** The resource the identity's Metering API tokens are for (MARKETPLACE_FIRST_PARTY_APP_ID unless a test names its fake's). */
  readonly appId: string;
}

/** The public Marketplace API (the Fulfillment API's paths are under `/saas`, the Metering API's under `/usageEvent`). */
export const DEFAULT_MARKETPLACE_API_URL = 'https://marketplaceapi.microsoft.com/api';
export const DEFAULT_MARKETPLACE_AUTHORITY_URL = 'https://login.microsoftonline.com';
/** The Marketplace's first-party application: the resource our tokens are for, and the app that calls our webhook. */
export const MARKETPLACE_FIRST_PARTY_APP_ID = '20e940b3-4c77-4b0b-9a53-9e16a1b010a7';

export interface MarketplaceSettings {
  /** Base of the Marketplace API, e.g. `https://marketplaceapi.microsoft.com/api`. */
  readonly apiUrl: string;
  /** Entra ID authority host: tokens come from `<it>/<tenantId>/oauth2/v2.0/token`. */
  readonly authorityUrl: string;
  /** The publisher's tenant and the Entra application registered in the offer's technical configuration. */
  readonly tenantId: string;
  readonly clientId: string;
  /** Undefined means the managed identity. */
  readonly clientSecret: string | undefined;
  /** The Marketplace's application id (MARKETPLACE_FIRST_PARTY_APP_ID unless a test names its fake's). */
  readonly appId: string;
  readonly webhook: {
    /** The `aud` the webhook's token must carry: our application id (MARKETPLACE_CLIENT_ID by default). */
    readonly audience: string;
    /** The `tid` the webhook's token must carry: the publisher tenant (MARKETPLACE_TENANT_ID by default). */
    readonly publisherTenantId: string;
    /** Overrides the key set found through `<authority>/<publisher tenant>/v2.0/.well-known/openid-configuration`. */
    readonly jwksUrl: string | undefined;
  };
}

/** The GA data-plane version used when AZURE_OPENAI_API_VERSION is not set. */
export const DEFAULT_AZURE_OPENAI_API_VERSION = '2024-10-21';

export interface AzureOpenAISettings {
  readonly endpoint: string;
  /** Undefined means the managed identity. */
  readonly apiKey: string | undefined;
  readonly apiVersion: string;
  readonly chatDeployment: string | undefined;
  readonly embeddingDeployment: string | undefined;
  readonly embeddingDimensions: number | undefined;
  readonly realtimeDeployment: string | undefined;
  readonly visionDeployment: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates settings from an environment map. Throws ConfigError naming each bad setting. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.length > 0 ? issue.path.join('.') : 'settings';
      return `${name}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const s = parsed.data;
  const storage: Config['storage'] =
    s.AzureWebJobsStorage !== undefined
      ? { kind: 'connectionString', connectionString: s.AzureWebJobsStorage }
      : {
          kind: 'identity',
          blobServiceUri:
            s.AzureWebJobsStorage__blobServiceUri ??
            `https://${s.AzureWebJobsStorage__accountName ?? ''}.blob.core.windows.net`,
          queueServiceUri:
            s.AzureWebJobsStorage__queueServiceUri ??
            `https://${s.AzureWebJobsStorage__accountName ?? ''}.queue.core.windows.net`,
        };
  return {
    inAzure: s.WEBSITE_SITE_NAME !== undefined,
    instanceId: s.WEBSITE_INSTANCE_ID ?? `local-${process.pid}`,
    storage,
    managedIdentityClientId: s.AZURE_CLIENT_ID,
    cosmos: {
      endpoint: s.COSMOS_ENDPOINT ?? '',
      key: s.COSMOS_KEY,
      database: s.COSMOS_DATABASE,
      emulatorCertFile: s.COSMOS_EMULATOR_CERT_FILE,
    },
    manageAuth:
      s.MANAGE_AUTH_ISSUER !== undefined && s.MANAGE_AUTH_AUDIENCE !== undefined
        ? { issuer: s.MANAGE_AUTH_ISSUER, audience: s.MANAGE_AUTH_AUDIENCE, jwksUrl: s.MANAGE_AUTH_JWKS_URL }
        : undefined,
    devAdminToken: s.COMPANION_DEV_ADMIN_TOKEN,
    dashboard: {
      entra:
        s.MANAGE_AUTH_ISSUER !== undefined && s.MANAGE_AUTH_AUDIENCE !== undefined
          ? {
              clientId: s.DASHBOARD_CLIENT_ID ?? s.MANAGE_AUTH_AUDIENCE,
              // MSAL wants the authority, the v2.0 issuer without its `/v2.0` suffix.
              authority: s.MANAGE_AUTH_ISSUER.replace(/\/v2\.0\/?$/, ''),
              scopes: [s.DASHBOARD_API_SCOPE ?? `api://${s.MANAGE_AUTH_AUDIENCE}/.default`],
            }
          : undefined,
    },
    bootstrapApiKey: s.COMPANION_BOOTSTRAP_API_KEY,
    dataDir: s.COMPANION_DATA_DIR,
    allowPrivateUrls: s.COMPANION_ALLOW_PRIVATE_URLS,
    secretKeyFile: s.COMPANION_SECRET_KEY_FILE ?? `${s.COMPANION_DATA_DIR}/secret.key`,
    keyVaultKeyId: s.KEY_VAULT_KEY_ID,
    sessionTokenSecret: s.SESSION_TOKEN_SECRET,
    sessionTokenTtlSeconds: s.SESSION_TOKEN_TTL_SECONDS ?? DEFAULT_SESSION_TOKEN_TTL_SECONDS,
    maxBodyBytes: s.COMPANION_MAX_BODY_BYTES ?? 1_048_576,
    port: s.PORT ?? 7071,
    avatarEngine:
      s.AVATAR_ENGINE_URL !== undefined && s.AVATAR_ENGINE_CALLBACK_SECRET !== undefined && s.COMPANION_PUBLIC_BASE_URL !== undefined
        ? { url: s.AVATAR_ENGINE_URL, callbackSecret: s.AVATAR_ENGINE_CALLBACK_SECRET, publicBaseUrl: s.COMPANION_PUBLIC_BASE_URL }
        : undefined,
    publicBaseUrl: s.COMPANION_PUBLIC_BASE_URL,
    speech:
      s.SPEECH_ENDPOINT !== undefined
        ? { endpoint: s.SPEECH_ENDPOINT, key: s.SPEECH_KEY, consentLocale: s.SPEECH_CONSENT_LOCALE ?? 'en-US' }
        : undefined,
    openai:
      s.AZURE_OPENAI_ENDPOINT !== undefined
        ? {
            endpoint: s.AZURE_OPENAI_ENDPOINT,
            apiKey: s.AZURE_OPENAI_API_KEY,
            apiVersion: s.AZURE_OPENAI_API_VERSION ?? DEFAULT_AZURE_OPENAI_API_VERSION,
            chatDeployment: s.AZURE_OPENAI_CHAT_DEPLOYMENT,
            embeddingDeployment: s.AZURE_OPENAI_EMBEDDING_DEPLOYMENT,
            embeddingDimensions: s.AZURE_OPENAI_EMBEDDING_DIMENSIONS,
            realtimeDeployment: s.AZURE_OPENAI_REALTIME_DEPLOYMENT,
            visionDeployment: s.AZURE_OPENAI_VISION_DEPLOYMENT,
          }
        : undefined,
    metering: { settleDelayMinutes: s.METERING_SETTLE_MINUTES ?? 5, lookbackHours: s.METERING_LOOKBACK_HOURS ?? 72 },
    managedAppMetering:
      s.MANAGED_APP_METERING && s.MANAGED_APP_RESOURCE_GROUP_ID !== undefined
        ? {
            managementUrl: (s.MANAGEMENT_API_URL ?? DEFAULT_MANAGEMENT_API_URL).replace(/\/+$/, ''),
            resourceGroupId: s.MANAGED_APP_RESOURCE_GROUP_ID,
            apiUrl: (s.MARKETPLACE_API_URL ?? DEFAULT_MARKETPLACE_API_URL).replace(/\/+$/, ''),
            appId: s.MARKETPLACE_APP_ID ?? MARKETPLACE_FIRST_PARTY_APP_ID,
          }
        : undefined,
    knowledgeIndex: s.KNOWLEDGE_INDEX ?? 'embedded',
    knowledgeUploadExpirySchedule: s.KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE ?? DEFAULT_KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE,
    webhookRetryScheduleSeconds: s.WEBHOOK_RETRY_SCHEDULE,
    marketplace:
      s.MARKETPLACE_TENANT_ID !== undefined && s.MARKETPLACE_CLIENT_ID !== undefined
        ? {
            apiUrl: (s.MARKETPLACE_API_URL ?? DEFAULT_MARKETPLACE_API_URL).replace(/\/+$/, ''),
            authorityUrl: (s.MARKETPLACE_AUTHORITY_URL ?? DEFAULT_MARKETPLACE_AUTHORITY_URL).replace(/\/+$/, ''),
            tenantId: s.MARKETPLACE_TENANT_ID,
            clientId: s.MARKETPLACE_CLIENT_ID,
            clientSecret: s.MARKETPLACE_CLIENT_SECRET,
            appId: s.MARKETPLACE_APP_ID ?? MARKETPLACE_FIRST_PARTY_APP_ID,
            webhook: {
              audience: s.MARKETPLACE_WEBHOOK_AUDIENCE ?? s.MARKETPLACE_CLIENT_ID,
              publisherTenantId: s.MARKETPLACE_PUBLISHER_TENANT_ID ?? s.MARKETPLACE_TENANT_ID,
              jwksUrl: s.MARKETPLACE_WEBHOOK_JWKS_URL,
            },
          }
        : undefined,
  };
}

/**
 * The expired-upload sweep's schedule, for its timer registration. Read when the function module registers, which is
 * before (and without) the rest of the configuration; a `%NAME%` binding reference would have no default, and the
 * Functions host refuses to index a timer whose setting is missing. A malformed value stops start-up naming it.
 */
export function knowledgeUploadExpirySchedule(env: Record<string, string | undefined> = process.env): string {
  const parsed = timerSchedule.safeParse(env['KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE']);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE: ${issue.message}`));
  }
  return parsed.data ?? DEFAULT_KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE;
}

/** Every five seconds: idle warnings (60, 30, 10 s before the close) and closes are at most this late. */
export const DEFAULT_SESSION_SWEEP_SCHEDULE = '*/5 * * * * *';
export const DEFAULT_SESSION_TOKEN_TTL_SECONDS = 900;

/** The session sweeper's schedule, read when its function registers (see knowledgeUploadExpirySchedule for why). */
export function sessionSweepSchedule(env: Record<string, string | undefined> = process.env): string {
  const parsed = timerSchedule.safeParse(env['SESSION_SWEEP_SCHEDULE']);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `SESSION_SWEEP_SCHEDULE: ${issue.message}`));
  return parsed.data ?? DEFAULT_SESSION_SWEEP_SCHEDULE;
}

/** Hourly, at minute 23: an unsubscribed organization's data goes within an hour after its 7 days of retention. */
export const DEFAULT_MARKETPLACE_RETENTION_SCHEDULE = '0 23 * * * *';

/** The Marketplace retention sweep's schedule, read when its function registers (see knowledgeUploadExpirySchedule). */
export function marketplaceRetentionSchedule(env: Record<string, string | undefined> = process.env): string {
  const parsed = timerSchedule.safeParse(env['MARKETPLACE_RETENTION_SCHEDULE']);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `MARKETPLACE_RETENTION_SCHEDULE: ${issue.message}`));
  return parsed.data ?? DEFAULT_MARKETPLACE_RETENTION_SCHEDULE;
}

/** Five minutes past each hour: the Marketplace submission of the hours that have closed. */
export const DEFAULT_METERING_SCHEDULE = '0 5 * * * *';
/** One minute past each hour: open sessions' time in the hour that ended is recorded. */
export const DEFAULT_USAGE_SNAPSHOT_SCHEDULE = '0 1 * * * *';
/** Daily at 03:40 UTC: the reconciliation of the previous day with the Marketplace's usage report. */
export const DEFAULT_METERING_RECONCILIATION_SCHEDULE = '0 40 3 * * *';

function scheduleSetting(name: string, fallback: string, env: Record<string, string | undefined>): string {
  const parsed = timerSchedule.safeParse(env[name]);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${name}: ${issue.message}`));
  return parsed.data ?? fallback;
}

/** METERING_SCHEDULE, read when the submission timer registers (see knowledgeUploadExpirySchedule for why). */
export function meteringSchedule(env: Record<string, string | undefined> = process.env): string {
  return scheduleSetting('METERING_SCHEDULE', DEFAULT_METERING_SCHEDULE, env);
}

export function usageSnapshotSchedule(env: Record<string, string | undefined> = process.env): string {
  return scheduleSetting('USAGE_SNAPSHOT_SCHEDULE', DEFAULT_USAGE_SNAPSHOT_SCHEDULE, env);
}

export function meteringReconciliationSchedule(env: Record<string, string | undefined> = process.env): string {
  return scheduleSetting('METERING_RECONCILIATION_SCHEDULE', DEFAULT_METERING_RECONCILIATION_SCHEDULE, env);
}

let cached: Config | undefined;

/** The process configuration, read from `process.env` on first use. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Drops the cached configuration (tests and the local host change the environment before the first request). */
export function resetConfigForTests(): void {
  cached = undefined;
}
