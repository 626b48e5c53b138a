import { HostStartupError } from './errors.js';

export type HostSettings = Readonly<Record<string, string | undefined>>;

/** Resolves `%NAME%` app-setting references in binding properties, as the host does at indexing time. */
export function resolveSettingReferences(value: string, settings: HostSettings, where: string): string {
  return value.replace(/%([^%]+)%/g, (_whole, name: string) => {
    const resolved = settings[name];
    if (resolved === undefined || resolved === '') {
      throw new HostStartupError(`${where} refers to the app setting "${name}", which is not set.`);
    }
    return resolved;
  });
}
