import { app } from '@azure/functions';

// Imported first by index.ts so it runs before any registration: HTTP streaming is needed for server-sent events
// and keeps large bodies out of memory. Both Azure and the local host support it.
app.setup({ enableHttpStream: true });
