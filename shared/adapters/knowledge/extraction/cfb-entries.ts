/**
 * The entry names of a Compound File Binary container (MS-CFB), the OLE format of legacy Office files and of
 * password-protected Office Open XML files: Word puts an encrypted .docx in a CFB with `EncryptionInfo` and
 * `EncryptedPackage` streams. Reads the directory through the FAT only; undefined when the container is damaged.
 */

const SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] as const;
const END_OF_CHAIN = 0xfffffffe;
const FREE_SECTOR = 0xffffffff;
const HEADER_DIFAT_ENTRIES = 109;
const DIRECTORY_ENTRY_BYTES = 128;

export function isCompoundFile(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 512 && SIGNATURE.every((b, i) => bytes[i] === b);
}

export function compoundFileEntryNames(bytes: Uint8Array): string[] | undefined {
  if (!isCompoundFile(bytes)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shift = view.getUint16(30, true);
  if (shift !== 9 && shift !== 12) return undefined;
  const sectorSize = 1 << shift;
  const perSector = sectorSize / 4;
  const sectorCount = Math.floor((bytes.byteLength - sectorSize) / sectorSize) + 1;
  const offsetOf = (sector: number): number | undefined => {
    const offset = (sector + 1) * sectorSize;
    return sector < sectorCount && offset + sectorSize <= bytes.byteLength ? offset : undefined;
  };

  const fatSectors: number[] = [];
  for (let i = 0; i < HEADER_DIFAT_ENTRIES; i++) {
    const sector = view.getUint32(76 + i * 4, true);
    if (sector !== FREE_SECTOR) fatSectors.push(sector);
  }
  let difat = view.getUint32(68, true);
  for (let hops = 0; difat !== END_OF_CHAIN && difat !== FREE_SECTOR; hops++) {
    const offset = offsetOf(difat);
    if (offset === undefined || hops > sectorCount) return undefined;
    for (let i = 0; i < perSector - 1; i++) {
      const sector = view.getUint32(offset + i * 4, true);
      if (sector !== FREE_SECTOR) fatSectors.push(sector);
    }
    difat = view.getUint32(offset + (perSector - 1) * 4, true);
  }
  const next = (sector: number): number | undefined => {
    const fatSector = fatSectors[Math.floor(sector / perSector)];
    const offset = fatSector === undefined ? undefined : offsetOf(fatSector);
    return offset === undefined ? undefined : view.getUint32(offset + (sector % perSector) * 4, true);
  };

  const names: string[] = [];
  const utf16 = new TextDecoder('utf-16le');
  let sector: number | undefined = view.getUint32(48, true);
  for (let hops = 0; sector !== END_OF_CHAIN; hops++) {
    const offset: number | undefined = sector === undefined ? undefined : offsetOf(sector);
    if (sector === undefined || offset === undefined || hops > sectorCount) return undefined;
    for (let entry = offset; entry < offset + sectorSize; entry += DIRECTORY_ENTRY_BYTES) {
      const nameBytes = view.getUint16(entry + 64, true);
      const type = view.getUint8(entry + 66);
      if (type === 0 || nameBytes < 2 || nameBytes > 64) continue;
      names.push(utf16.decode(bytes.subarray(entry, entry + nameBytes - 2)));
    }
    sector = next(sector);
  }
  return names;
}

/** An Office Open XML package encrypted with a password (ECMA-376 agile or standard encryption). */
export function isEncryptedOfficePackage(names: readonly string[]): boolean {
  return names.includes('EncryptionInfo') && names.includes('EncryptedPackage');
}

/** A Word 97–2003 binary document, which the service does not read. */
export function isLegacyWordDocument(names: readonly string[]): boolean {
  return names.includes('WordDocument');
}
