import { defineHttpHostTests } from './local-host-http-cases.js';

// RPC mode: each request is handed to the library as RpcHttpData and the response comes back the same way.
// A separate file because `app.setup({ enableHttpStream })` is once per process.
defineHttpHostTests('rpc', () => import('../fixtures/host-app/http-rpc-app.js'));
