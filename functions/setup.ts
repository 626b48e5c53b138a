import { app } from '@azure/functions';
import { registerInvocationScopeHook } from '../shared/http/invocation-scope-hook.js';

// Imported first by index.ts so it runs before any registration: HTTP streaming is needed for server-sent events
// and keeps large bodies out of memory. Both Azure and the local host support it.
app.setup({ enableHttpStream: true });

// Every invocation (of any trigger) runs in its scope, so its log lines carry its ids; registered here because the
// deployed entry loads HTTP modules (and so the HTTP edge) only on their first request.
registerInvocationScopeHook();
