/**
 * Where services report what they cannot surface to the caller (a failed best-effort write). Properties must never
 * hold secrets, tokens or keys.
 */
export interface Logger {
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

export const consoleLogger: Logger = {
  warn: (message, properties) => console.warn(message, properties ?? {}),
  error: (message, properties) => console.error(message, properties ?? {}),
};
