import { defineHttpHostTests } from './local-host-http-cases.js';

// Stream mode is how the app runs: requests are proxied to the library's HTTP server, responses streamed back.
defineHttpHostTests('stream', () => import('../fixtures/host-app/http-stream-app.js'));
