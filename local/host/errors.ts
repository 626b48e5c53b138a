/** A configuration problem found while starting the host; its message names what to fix. */
export class HostStartupError extends Error {
  override readonly name = 'HostStartupError';
}
