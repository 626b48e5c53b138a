import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../../local/service-process.js';
import { startFakeAzureOpenAI, type FakeAzureOpenAI } from '../fakes/azure-openai.js';
import { startFakeEntraIssuer, type FakeEntraIssuer } from '../fakes/entra-issuer.js';
import { startFakeMarketplace, type FakeMarketplace } from '../fakes/marketplace-fulfillment.js';
import { startFakeRealtimePeer, type FakeRealtimePeer } from '../fakes/realtime-peer.js';
import { startFakeWebhookReceiver, type FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { makeImage } from '../support/media-fixtures.js';
import { accessibilityProblems, launchChromium, screenshot } from './browser.js';

/**
 * The dashboard and Playground in headless Chromium against `npm start`'s service: an admin signs in with the dev admin
 * token, creates a companion with an uploaded picture, uploads a knowledge file and watches it become ready, creates an
 * implicit function and an agent, and holds a Playground conversation (a knowledge search, an implicit call answered by
 * hand, the session's end and cost) with the Azure OpenAI fake as the model. A member signed in with an Entra ID token
 * signed in through Microsoft Entra ID (MSAL's authorization-code flow with PKCE against the Entra ID fake, over TLS)
 * sees no admin pages, and the API refuses them admin calls.
 */

const ADMIN_TOKEN = 'browser_dashboard_admin_0123456789abcdef';
const AUDIENCE = 'companion-dashboard-tests';
const MEMBER_OID = 'member-oid-0001';
const BUYER_OID = 'buyer-oid-0001';
const MARKETPLACE_APP_ID = '20e940b3-4c77-4b0b-9a53-9e16a1b010a7';
const PUBLISHER_APP_ID = 'publisher-app-dashboard-tests';
const PUBLISHER_SECRET = 'publisher-secret-dashboard-tests';

const MANUAL = [
  '# Care guide',
  '',
  '## Warranty',
  '',
  'Every kettle carries a warranty of 24 months from the date of purchase, covering the heating element and the lid hinge.',
  '',
].join('\n');

let service: ServiceProcess;
let llm: FakeAzureOpenAI;
let entra: FakeEntraIssuer;
let marketplace: FakeMarketplace;
let receiver: FakeWebhookReceiver;
let peer: FakeRealtimePeer;
let browser: Browser;
let dataDir: string;
let filesDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'companion-dashboard-'));
  filesDir = mkdtempSync(path.join(os.tmpdir(), 'companion-dashboard-files-'));
  writeFileSync(path.join(filesDir, 'care-guide.md'), MANUAL);
  writeFileSync(path.join(filesDir, 'portrait.png'), await makeImage({ width: 768, height: 1024, format: 'png' }));
  peer = await startFakeRealtimePeer();
  [llm, entra, receiver] = await Promise.all([
    // The realtime model's side of a WebRTC call is a page of the test's browser (the peer).
    startFakeAzureOpenAI({ realtimeCalls: (offer) => peer.answer(offer) }),
    startFakeEntraIssuer(undefined, { tls: true }),
    startFakeWebhookReceiver(),
  ]);
  // The service trusts the Entra ID fake's self-signed certificate when it fetches its keys.
  writeFileSync(path.join(filesDir, 'entra-ca.pem'), entra.caCertPem ?? '');
  entra.addClient(PUBLISHER_APP_ID, PUBLISHER_SECRET);
  marketplace = await startFakeMarketplace({ issuer: entra, marketplaceAppId: MARKETPLACE_APP_ID, publisherAppId: PUBLISHER_APP_ID });
  [service, browser] = await Promise.all([
    startServiceProcess({
      NODE_EXTRA_CA_CERTS: path.join(filesDir, 'entra-ca.pem'),
      COMPANION_DATA_DIR: dataDir,
      COMPANION_DEV_ADMIN_TOKEN: ADMIN_TOKEN,
      COMPANION_ALLOW_PRIVATE_URLS: '1',
      MANAGE_AUTH_ISSUER: entra.issuer,
      MANAGE_AUTH_AUDIENCE: AUDIENCE,
      AZURE_OPENAI_ENDPOINT: llm.endpoint,
      AZURE_OPENAI_API_KEY: llm.apiKey,
      AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o',
      AZURE_OPENAI_REALTIME_DEPLOYMENT: 'gpt-realtime',
      MARKETPLACE_API_URL: marketplace.apiUrl,
      MARKETPLACE_AUTHORITY_URL: entra.baseUrl,
      MARKETPLACE_TENANT_ID: entra.tenantId,
      MARKETPLACE_CLIENT_ID: PUBLISHER_APP_ID,
      MARKETPLACE_CLIENT_SECRET: PUBLISHER_SECRET,
    }),
    launchChromium(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await Promise.all([llm?.close(), marketplace?.close(), receiver?.close(), peer?.close()]);
  await entra?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(filesDir, { recursive: true, force: true });
}, 60_000);

async function newPage(width = 1280, colorScheme: 'light' | 'dark' = 'light'): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  // The Entra ID fake's certificate is self-signed; the copy buttons write to the clipboard.
  const context = await browser.newContext({ viewport: { width, height: 900 }, ignoreHTTPSErrors: true, colorScheme });
  await context.grantPermissions(['clipboard-read', 'clipboard-write', 'microphone'], { origin: new URL(service.url).origin });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of (40[0-9]|409)/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  // No request may leave for another host (no CDN at run time).
  page.on('request', (request) => {
    const url = new URL(request.url());
    // The service, the Entra ID authority, and the storage account that uploads are PUT to (a SAS URL).
    const allowed = [new URL(service.url).origin, new URL(entra.baseUrl).origin, new URL(llm.endpoint).origin, new URL(peer.pageUrl).origin];
    const isUpload = request.method() === 'PUT' || request.method() === 'OPTIONS' ? /\/devstoreaccount1\/companions\//.test(url.pathname) : false;
    if (!['data:', 'blob:'].includes(url.protocol) && !allowed.includes(url.origin) && !isUpload) problems.push(`external request: ${request.url()}`);
  });
  return { context, page, problems };
}

/** A screenshot of a main page for the artifacts, and its accessibility checked (WCAG 2.1 A and AA, by axe-core). */
async function capture(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect(await accessibilityProblems(page), name).toEqual([]);
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${service.url}/admin/`);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
}

async function go(page: Page, segment: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: heading }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  expect(page.url()).toContain(`#/${segment}`);
}

describe('the dashboard in a browser', { timeout: 90_000 }, () => {
  let admin: Awaited<ReturnType<typeof newPage>>;
  let agentName: string;

  beforeAll(async () => {
    admin = await newPage();
  });

  afterAll(async () => {
    await admin?.context.close();
  });

  it('signs an admin in with the dev admin token and shows the projects', async () => {
    const { page } = admin;
    await signIn(page, ADMIN_TOKEN);
    await expect(page.getByTestId('role').textContent()).resolves.toBe('Admin');
    await page.getByRole('row', { name: /Default/ }).waitFor();
    for (const item of ['API keys', 'Members', 'Settings', 'Usage and billing', 'Webhooks']) {
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: item }).count()).resolves.toBe(1);
    }
    await capture(page, '01-projects');
    // The address that works in Azure too (where the Functions host keeps /admin for itself) serves the same app.
    await page.goto(`${service.url}/dashboard/#/companions`);
    await page.getByRole('heading', { level: 1, name: 'Companions' }).waitFor();
    await page.goto(`${service.url}/admin/`);
    await page.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();

    // Keyboard: the first Tab reaches the skip link, which moves focus to the content without leaving the page.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).resolves.toBe('main');
    expect(new URL(page.url()).hash).toBe('');
    await expect(page.getByRole('heading', { level: 1, name: 'Projects' }).count()).resolves.toBe(1);
  });

  it('creates a companion with an uploaded picture and shows its status', async () => {
    const { page } = admin;
    await go(page, 'companions', 'Companions');
    await page.getByRole('button', { name: 'Create companion' }).first().click();
    const form = page.getByRole('form', { name: 'Create companion' });
    await form.getByLabel('First name').fill('Ada');
    await form.getByLabel('Description').fill('A friendly kettle expert who helps customers.');
    await form.getByLabel('Picture from').selectOption({ label: 'A file from this computer' });
    await form.getByLabel('Picture file').setInputFiles(path.join(filesDir, 'portrait.png'));
    // The upload is held back a little, so its progress bar is seen before it completes.
    const storage = /\/devstoreaccount1\/companions\//;
    await page.route(
      storage,
      async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 750));
        await route.continue();
      },
      { times: 1 },
    );
    await form.getByRole('button', { name: 'Create companion' }).click();
    // The upload's progress, then the companion's page with its status as it changes.
    await page.getByRole('progressbar', { name: /portrait\.png/ }).waitFor({ state: 'attached' });
    await page.getByRole('heading', { level: 1, name: /Ada/ }).waitFor({ timeout: 30_000 });
    await page.getByText(/^(completed|readyToUse)$/).first().waitFor({ timeout: 60_000 });
    await capture(page, '02-companion');
  });

  it('uploads a knowledge file and watches it become ready', async () => {
    const { page } = admin;
    await go(page, 'knowledge', 'Knowledge');
    await page.getByRole('button', { name: 'Create knowledge base' }).click();
    const create = page.getByRole('dialog', { name: 'Create knowledge base' });
    await create.getByLabel('Name').fill('Manuals');
    await create.getByRole('button', { name: 'Create knowledge base' }).click();
    await page.getByRole('heading', { level: 1, name: 'Manuals' }).waitFor();
    await page.getByLabel('Files').setInputFiles(path.join(filesDir, 'care-guide.md'));
    await page.getByRole('button', { name: 'Upload files' }).click();
    await page.getByRole('row', { name: /care-guide\.md.*ready/ }).waitFor({ timeout: 45_000 });
    await capture(page, '03-knowledge');
  });

  it('creates an implicit function with a validated JSON Schema, and an agent', async () => {
    const { page } = admin;
    await go(page, 'functions', 'Functions');
    const form = page.getByRole('form', { name: 'New function' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('show_product_page');
    await form.getByLabel('Flow').selectOption('implicit');
    const editor = form.getByLabel('Parameters (JSON Schema)');
    await editor.fill('{"type": "object", "properties": {"sku": {"type": "strin"}}}');
    await form.getByRole('alert').filter({ hasText: '/properties/sku/type' }).first().waitFor();
    await expect(form.getByRole('button', { name: 'Create function' }).isDisabled()).resolves.toBe(true);
    await editor.fill('{"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]}');
    await form.getByRole('button', { name: 'Create function' }).click();
    await page.getByRole('row', { name: /show_product_page/ }).first().waitFor();
    await capture(page, '04-functions');

    await go(page, 'agents', 'Agents');
    agentName = 'Kettle help';
    const agentForm = page.getByRole('form', { name: /agent/i }).first();
    await agentForm.getByRole('textbox', { name: 'Name', exact: true }).fill(agentName);
    const companion = agentForm.getByLabel('Companion');
    const stock = (await companion.locator('option', { hasText: '(stock)' }).first().getAttribute('value')) ?? '';
    await companion.selectOption(stock);
    await agentForm.getByLabel('Voice').selectOption('coral');
    await agentForm.getByLabel('Knowledge base').selectOption({ label: 'Manuals' });
    await agentForm.getByRole('checkbox', { name: 'show_product_page' }).check();
    await agentForm.getByRole('button', { name: 'Create agent' }).click();
    await page.getByText(agentName).first().waitFor();
    await capture(page, '05-agents');
  });

  it('holds a Playground conversation with a knowledge search and an implicit call answered by hand', async () => {
    const { page, problems } = admin;
    await go(page, 'playground', 'Playground');
    await page.getByLabel('Agent').selectOption({ label: agentName });
    await page.getByRole('button', { name: 'Start session' }).click();
    await page.getByLabel('Message').waitFor();

    llm.reset();
    llm.script(
      { toolCalls: [{ id: 'k1', name: 'search_knowledge', arguments: { query: 'how long is the warranty' } }] },
      { content: 'Your kettle has a 24-month warranty.' },
    );
    await page.getByLabel('Message').fill('How long is the warranty?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const log = page.getByRole('log', { name: 'Conversation' });
    await log.getByText('Your kettle has a 24-month warranty.').waitFor();
    await log.getByText(/warranty of 24 months/).first().waitFor();

    llm.script({ toolCalls: [{ id: 'p1', name: 'show_product_page', arguments: { sku: 'K-2' } }] }, { content: 'Here is the K-2 page.' });
    await page.getByLabel('Message').fill('Show me the K-2');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText(/show_product_page/).first().waitFor();
    await page.getByLabel('Output').first().fill('{"shown": true}');
    await page.getByRole('button', { name: 'Send output' }).first().click();
    await log.getByText('Here is the K-2 page.').waitFor();
    await page.getByTestId('countdown').waitFor();
    await capture(page, '06-playground');

    await page.getByRole('button', { name: 'End session' }).click();
    await expect(page.getByTestId('close-reason').textContent()).resolves.toBe('connection_closed');
    await page.getByTestId('cost').getByText(/\$\d/).waitFor();
    await capture(page, '07-playground-closed');
    expect(problems).toEqual([]);
  });

  it('shows the session with its transcript, usage as charts, and a new API key once', async () => {
    const { page } = admin;
    await go(page, 'sessions', 'Sessions');
    await page.getByRole('row', { name: /connection_closed/ }).getByRole('link').click();
    await page.getByText('How long is the warranty?').first().waitFor();
    await page.getByText('Here is the K-2 page.').first().waitFor();
    await capture(page, '08-session-transcript');

    await go(page, 'usage', 'Usage and billing');
    await page.getByRole('img').first().waitFor();
    await capture(page, '09-usage');

    await go(page, 'api-keys', 'API keys');
    await page.getByLabel('Key name').fill('staging');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const secret = (await page.getByTestId('secret-value').textContent()) ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(20);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied').waitFor();
    // The page's own clipboard (the callback runs in the browser).
    const readClipboard = () => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText();
    await expect(page.evaluate(readClipboard)).resolves.toBe(secret);
    await capture(page, '10-api-key-created');
    // The key works, and the secret is never shown again.
    const project = await fetch(`${service.url}/public/project`, { headers: { 'x-api-key': secret } });
    expect(project.status).toBe(200);
    await page.reload();
    await page.getByRole('row', { name: /staging/ }).waitFor();
    await expect(page.getByText(secret).count()).resolves.toBe(0);
  });

  it('holds a voice conversation in the Playground over WebRTC with the realtime model, tools included', async () => {
    const { page, context } = admin;
    const model = await context.newPage();
    await model.goto(peer.pageUrl);
    await model.getByText('connected').waitFor();
    try {
      await go(page, 'playground', 'Playground');
      // The page may still show the last session, ended.
      const again = page.getByRole('button', { name: 'New session' });
      if ((await again.count()) > 0) await again.click();
      await page.getByLabel('Agent').selectOption({ label: agentName });
      await page.getByLabel('Conversation').selectOption('voice');
      await page.getByRole('button', { name: 'Start session' }).click();
      await peer.waitForOpenChannel();
      await page.getByTestId('voice-state').getByText('Microphone on: speak to the agent.').waitFor();
      const log = page.getByRole('log', { name: 'Conversation' });

      await peer.send({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'item_1', content_index: 0, transcript: 'What does the warranty cover?' });
      await log.getByText('What does the warranty cover?').waitFor();
      // The model searches the knowledge: the Playground runs it through the backend and hands the passages back.
      await peer.send({ type: 'response.function_call_arguments.done', call_id: 'call_k', name: 'search_knowledge', arguments: JSON.stringify({ query: 'warranty' }) });
      const searched = await peer.waitForEvent((event) => event['type'] === 'conversation.item.create' && (event['item'] as { call_id?: string }).call_id === 'call_k');
      expect((searched['item'] as { output: string }).output).toContain('warranty of 24 months');
      await peer.waitForEvent((event) => event['type'] === 'response.create');
      await peer.send({ type: 'response.output_audio_transcript.done', transcript: 'It covers the heating element and the lid hinge for 24 months.' });
      await log.getByText('It covers the heating element and the lid hinge for 24 months.').waitFor();

      // An implicit function is answered by hand, and the answer goes back on the call.
      await peer.send({ type: 'response.function_call_arguments.done', call_id: 'call_p', name: 'show_product_page', arguments: JSON.stringify({ sku: 'K-3' }) });
      await page.getByLabel('Output').first().fill('{"shown": true}');
      await page.getByRole('button', { name: 'Send output' }).first().click();
      const answered = await peer.waitForEvent((event) => event['type'] === 'conversation.item.create' && (event['item'] as { call_id?: string }).call_id === 'call_p');
      expect((answered['item'] as { output: string }).output).toBe('{"shown": true}');
      await capture(page, '09b-playground-voice');

      await page.getByRole('button', { name: 'End session' }).click();
      await expect(page.getByTestId('close-reason').textContent()).resolves.toBe('connection_closed');
      expect(admin.problems).toEqual([]);
    } finally {
      await model.close();
    }
  });

  it('sets up the webhook, shows its secret once and lists its deliveries', async () => {
    const { page } = admin;
    await go(page, 'webhooks', 'Webhooks');
    await page.getByLabel('Endpoint URL').fill(`${receiver.url}/hooks`);
    await page.getByRole('button', { name: 'Save webhook' }).click();
    const secret = (await page.getByTestId('secret-value').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    receiver.setSecret(secret);

    // A companion made through the API is an event the endpoint receives, signed with that secret.
    const created = await fetch(`${service.url}/public/companions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-project-id': 'proj_local', 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'An event for the webhook.' }),
    });
    expect(created.status).toBe(201);
    const [delivery] = await receiver.waitForRequests(1, 30_000);
    expect(delivery?.signatureValid).toBe(true);
    // The delivery's record is marked delivered just after the endpoint answers: refresh until the list shows it.
    const delivered = page.getByRole('row', { name: /companion\.created.*delivered/ });
    for (let attempt = 0; (await delivered.count()) === 0; attempt += 1) {
      if (attempt === 40) throw new Error('the delivery was never listed as delivered');
      await page.getByRole('button', { name: 'Refresh deliveries' }).click();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await capture(page, '11-webhooks');
  });

  it('gives the digital-twin consent through its dialog', async () => {
    const { page } = admin;
    await go(page, 'settings', 'Settings');
    await page.getByRole('button', { name: 'Enable digital twins' }).click();
    const dialog = page.getByRole('dialog', { name: 'Digital-twin consent' });
    await dialog.getByRole('button', { name: 'Give consent' }).click();
    await dialog.getByText('Tick the box to confirm first.').waitFor();
    await dialog.getByLabel('I confirm this on behalf of the organization').check();
    await capture(page, '12-consent');
    await dialog.getByRole('button', { name: 'Give consent' }).click();
    await page.getByText(/Digital twins are enabled/).waitFor();
  });

  it('adds a member through the members page', async () => {
    const { page } = admin;
    await go(page, 'members', 'Members');
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByLabel('Entra object id').fill(MEMBER_OID);
    await page.getByLabel('Display name').fill('Mia Member');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('row', { name: /Mia Member/ }).waitFor();
    await capture(page, '13-members');
  });

  it('shows a member only what members may, and the API refuses them the rest', async () => {
    // A phone-sized screen in dark mode: the accessibility checks then cover the dark colours too.
    const member = await newPage(390, 'dark');
    try {
      const { page } = member;
      entra.signInAs({ oid: MEMBER_OID, name: 'Mia Member', email: 'mia@example.com' });
      const before = entra.signIns();
      await page.goto(`${service.url}/admin/`);
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
      await page.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
      // One authorization request, and its code redeemed once with its PKCE verifier.
      expect(entra.signIns()).toEqual({ authorizeRequests: before.authorizeRequests + 1, codesRedeemed: before.codesRedeemed + 1 });
      await expect(page.getByTestId('signed-in-user').textContent()).resolves.toContain('Mia Member');
      await expect(page.getByTestId('role').textContent()).resolves.toBe('Member');
      await page.getByRole('button', { name: 'Menu' }).click();
      const nav = page.getByRole('navigation', { name: 'Main' });
      for (const item of ['Companions', 'Playground', 'Projects']) await expect(nav.getByRole('link', { name: item }).count()).resolves.toBe(1);
      for (const item of ['API keys', 'Members', 'Settings', 'Usage and billing', 'Webhooks']) await expect(nav.getByRole('link', { name: item }).count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: 'New project' }).count()).resolves.toBe(0);

      await page.goto(`${service.url}/admin/#/api-keys`);
      await page.getByRole('heading', { name: 'Admins only' }).waitFor();
      await capture(page, '14-member-admin-page');

      await page.goto(`${service.url}/admin/#/companions`);
      await page.getByRole('heading', { level: 1, name: 'Companions' }).waitFor();
      await page.getByText(/Loading/).first().waitFor({ state: 'detached' });
      await expect(page.getByRole('button', { name: 'Create companion' }).count()).resolves.toBe(0);
      await capture(page, '15-member-companions');

      const token = await entra.issueUserToken({ oid: MEMBER_OID, audience: AUDIENCE, name: 'Mia Member' });
      const statuses = await page.evaluate(async (bearer) => {
        const me = (await (await fetch('/manage/me', { headers: { authorization: `Bearer ${bearer}` } })).json()) as {
          memberships: { organization: { id: string } }[];
        };
        const orgId = me.memberships[0]!.organization.id;
        const projects = (await (await fetch(`/manage/orgs/${orgId}/projects`, { headers: { authorization: `Bearer ${bearer}` } })).json()) as { items: { id: string }[] };
        const projectId = projects.items[0]!.id;
        const headers = { authorization: `Bearer ${bearer}`, 'x-project-id': projectId, 'content-type': 'application/json' };
        const keys = await fetch(`/manage/projects/${projectId}/api-keys`, { headers });
        const faq = await fetch('/public/faqs', { method: 'POST', headers, body: JSON.stringify({ name: 'Mine', faqs: [] }) });
        const project = await fetch(`/manage/orgs/${orgId}/projects`, { method: 'POST', headers, body: JSON.stringify({ name: 'Mine' }) });
        const agents = await fetch('/public/agents', { headers });
        return { keys: keys.status, faq: [faq.status, ((await faq.json()) as { code: string }).code], project: project.status, agents: agents.status };
      }, token);
      expect(statuses).toEqual({ keys: 403, faq: [403, 'AdminRoleRequired'], project: 403, agents: 200 });
      expect(member.problems).toEqual([]);
    } finally {
      await member.context.close();
    }
  });
  it('onboards a Marketplace buyer: the landing page, Microsoft sign-in and the first project', async () => {
    const buyer = await newPage();
    try {
      const { page } = buyer;
      const { token, subscriptionId } = marketplace.purchase({
        offerId: 'companion-api',
        planId: 'standard',
        name: 'Contoso agents',
        purchaser: { objectId: BUYER_OID, emailId: 'bea@contoso.com', tenantId: entra.tenantId },
      });
      entra.signInAs({ oid: BUYER_OID, name: 'Bea Buyer', email: 'bea@contoso.com' });
      // Where the Azure portal sends the buyer: the landing page hands the browser to the dashboard.
      await page.goto(`${service.url}/marketplace/landing?token=${encodeURIComponent(token)}`);
      await page.getByText(/Your subscription to plan standard is active/).waitFor();
      expect(page.url()).not.toContain('marketplaceToken');
      await capture(page, '16-marketplace-welcome');
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
      await page.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
      await expect(page.getByTestId('role').textContent()).resolves.toBe('Admin');
      await expect(page.getByLabel('Organization').locator('option:checked').textContent()).resolves.toBe('Contoso agents');
      await page.getByText('No projects yet.').waitFor();

      await page.getByRole('button', { name: 'New project' }).click();
      const dialog = page.getByRole('dialog', { name: 'New project' });
      await dialog.getByLabel('Project name').fill('Production');
      await dialog.getByRole('button', { name: 'Save project' }).click();
      await page.getByRole('row', { name: /Production.*selected/ }).waitFor();
      await expect(page.getByLabel('Project').locator('option:checked').textContent()).resolves.toBe('Production');
      await capture(page, '17-first-project');
      expect(marketplace.subscription(subscriptionId)?.saasSubscriptionStatus).toBe('Subscribed');
      expect(buyer.problems).toEqual([]);
    } finally {
      await buyer.context.close();
    }
  });
});
