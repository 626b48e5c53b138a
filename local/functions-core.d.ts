// Types of the `@azure/functions-core` module as far as the local host uses them. In Azure the Node.js
// worker provides this module at run time; locally `local/functions-core/` does (see installFunctionsCore).
// Written from the contract the `@azure/functions` library programs against (its src/ imports these names).
declare module '@azure/functions-core' {
  export const version: string;
  export const hostVersion: string;

  export function registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable;
  export function registerHook(hookName: 'preInvocation', callback: PreInvocationCallback): Disposable;
  export function registerHook(hookName: 'postInvocation', callback: PostInvocationCallback): Disposable;
  export function registerHook(hookName: 'appStart', callback: AppStartCallback): Disposable;
  export function registerHook(hookName: 'appTerminate', callback: AppTerminateCallback): Disposable;
  export function registerHook(hookName: 'log', callback: LogHookCallback): Disposable;
  export function registerHook(hookName: string, callback: HookCallback): Disposable;
  export function setProgrammingModel(programmingModel: ProgrammingModel): void;
  export function getProgrammingModel(): ProgrammingModel;
  export function log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;

  export class Disposable {
    static from(...disposableLikes: { dispose: () => unknown }[]): Disposable;
    constructor(callOnDispose: () => unknown);
    dispose(): unknown;
  }

  export interface FunctionMetadata {
    name: string;
    functionId?: string;
    bindings: Record<string, RpcBindingInfo>;
    retryOptions?: RpcRetryOptions;
  }

  export type FunctionCallback = (...args: unknown[]) => unknown;

  export type HookName = 'preInvocation' | 'postInvocation' | 'appStart' | 'appTerminate' | 'log';
  export type HookCallback = (context: HookContext) => unknown;
  export type PreInvocationCallback = (context: PreInvocationContext) => void | Promise<void>;
  export type PostInvocationCallback = (context: PostInvocationContext) => void | Promise<void>;
  export type AppStartCallback = (context: AppStartContext) => void | Promise<void>;
  export type AppTerminateCallback = (context: AppTerminateContext) => void | Promise<void>;
  export type LogHookCallback = (context: LogHookContext) => void;

  export type HookData = Record<string, unknown>;

  export interface HookContext {
    readonly hookData: HookData;
    readonly appHookData: HookData;
  }

  export interface PreInvocationContext extends HookContext {
    readonly invocationContext: unknown;
    inputs: unknown[];
    functionCallback: FunctionCallback;
  }

  export interface PostInvocationContext extends HookContext {
    readonly invocationContext: unknown;
    inputs: unknown[];
    result: unknown;
    error: unknown;
  }

  export interface AppStartContext extends HookContext {
    functionAppDirectory: string;
  }

  export type AppTerminateContext = HookContext;

  export interface LogHookContext extends HookContext {
    readonly invocationContext?: unknown;
    readonly category: RpcLogCategory;
    level: RpcLogLevel;
    message: string;
  }

  export type WorkerCapabilities = Record<string, string>;

  export interface ProgrammingModel {
    name: string;
    version: string;
    getInvocationModel(coreContext: CoreInvocationContext): InvocationModel | Promise<InvocationModel>;
    getCapabilities?(defaultCapabilities: WorkerCapabilities): WorkerCapabilities | Promise<WorkerCapabilities>;
  }

  export type InvocationState = 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';

  export interface CoreInvocationContext {
    invocationId: string;
    request: RpcInvocationRequest;
    metadata: RpcFunctionMetadata;
    state?: InvocationState;
    log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
  }

  export interface InvocationArguments {
    context: unknown;
    inputs: unknown[];
  }

  export interface InvocationModel {
    getArguments(): Promise<InvocationArguments>;
    invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
    getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
  }

  export type RpcLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
  export type RpcLogCategory = 'user' | 'system' | 'customMetric';

  export interface RpcFunctionMetadata {
    name?: string | null;
    directory?: string | null;
    scriptFile?: string | null;
    entryPoint?: string | null;
    bindings?: Record<string, RpcBindingInfo> | null;
    functionId?: string | null;
    retryOptions?: RpcRetryOptions | null;
  }

  export type RpcBindingDirection = 'in' | 'out' | 'inout';
  export type RpcBindingDataType = 'undefined' | 'string' | 'binary' | 'stream';

  // The library spreads each trigger's options into its binding, so the trigger-specific properties
  // (route, methods, queueName, path, schedule, connection, ...) live beside the RPC ones.
  export interface RpcBindingInfo {
    type?: string | null;
    direction?: RpcBindingDirection | null;
    dataType?: RpcBindingDataType | null;
    properties?: Record<string, string> | null;
    [option: string]: unknown;
  }

  export interface RpcDuration {
    seconds?: number | null;
    nanos?: number | null;
  }

  export interface RpcRetryOptions {
    maxRetryCount?: number | null;
    delayInterval?: RpcDuration | null;
    minimumInterval?: RpcDuration | null;
    maximumInterval?: RpcDuration | null;
    retryStrategy?: 'exponentialBackoff' | 'fixedDelay' | null;
  }

  export interface RpcException {
    source?: string | null;
    stackTrace?: string | null;
    message?: string | null;
  }

  export interface RpcStatusResult {
    status?: 'failure' | 'success' | 'cancelled' | null;
    result?: string | null;
    exception?: RpcException | null;
  }

  export interface RpcTypedData {
    string?: string | null;
    json?: string | null;
    bytes?: Uint8Array | null;
    stream?: Uint8Array | null;
    http?: RpcHttpData | null;
    int?: number | null;
    double?: number | null;
    collectionBytes?: { bytes?: Uint8Array[] | null } | null;
    collectionString?: { string?: string[] | null } | null;
    collectionDouble?: { double?: number[] | null } | null;
    collectionSint64?: { sint64?: number[] | null } | null;
  }

  export interface RpcParameterBinding {
    name?: string | null;
    data?: RpcTypedData | null;
  }

  export interface RpcTraceContext {
    traceParent?: string | null;
    traceState?: string | null;
    attributes?: Record<string, string> | null;
  }

  export interface RpcRetryContext {
    retryCount?: number | null;
    maxRetryCount?: number | null;
    exception?: RpcException | null;
  }

  export interface RpcInvocationRequest {
    invocationId?: string | null;
    functionId?: string | null;
    inputData?: RpcParameterBinding[] | null;
    triggerMetadata?: Record<string, RpcTypedData> | null;
    traceContext?: RpcTraceContext | null;
    retryContext?: RpcRetryContext | null;
  }

  export interface RpcInvocationResponse {
    invocationId?: string | null;
    outputData?: RpcParameterBinding[] | null;
    returnValue?: RpcTypedData | null;
    result?: RpcStatusResult | null;
  }

  export interface RpcNullableString {
    value?: string | null;
  }

  export interface RpcHttpData {
    method?: string | null;
    url?: string | null;
    headers?: Record<string, string> | null;
    body?: RpcTypedData | null;
    params?: Record<string, string> | null;
    statusCode?: string | null;
    query?: Record<string, string> | null;
    enableContentNegotiation?: boolean | null;
    rawBody?: RpcTypedData | null;
    cookies?: RpcHttpCookie[] | null;
    nullableHeaders?: Record<string, RpcNullableString> | null;
    nullableParams?: Record<string, RpcNullableString> | null;
    nullableQuery?: Record<string, RpcNullableString> | null;
  }

  export interface RpcTimestamp {
    seconds?: number | null;
    nanos?: number | null;
  }

  export interface RpcHttpCookie {
    name?: string | null;
    value?: string | null;
    domain?: RpcNullableString | null;
    path?: RpcNullableString | null;
    expires?: { value?: RpcTimestamp | null } | null;
    secure?: { value?: boolean | null } | null;
    httpOnly?: { value?: boolean | null } | null;
    sameSite?: 'none' | 'lax' | 'strict' | 'explicitNone' | null;
    maxAge?: { value?: number | null } | null;
  }
}
