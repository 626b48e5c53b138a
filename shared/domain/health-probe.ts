/** Checks one dependency the service needs; rejects when it is unreachable. Must honour the abort signal. */
export interface HealthProbe {
  readonly name: string;
  check(signal: AbortSignal): Promise<void>;
}
