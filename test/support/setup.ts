// Runs before every test file: tests never inherit settings from the developer's shell.
for (const name of Object.keys(process.env)) {
  if (name.startsWith('COMPANION_') || name.startsWith('COSMOS_') || name.startsWith('MANAGE_AUTH_') || name.startsWith('AzureWebJobs') || name.startsWith('AZURE_OPENAI_') || name === 'KNOWLEDGE_INDEX') {
    delete process.env[name];
  }
}
