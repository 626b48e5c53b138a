import type { SniffedType } from '../../domain/media/media-checks.js';
import { loadFileType } from './media-libraries.js';

/** What the leading bytes say the file is (file-type's signatures); undefined for text and unknown formats. */
export async function sniffMediaType(bytes: Uint8Array): Promise<SniffedType | undefined> {
  const { fileTypeFromBuffer } = await loadFileType();
  const found = await fileTypeFromBuffer(bytes);
  return found === undefined ? undefined : { extension: found.ext, mimeType: found.mime };
}
