import { buffer } from 'node:stream/consumers';
import yauzl from 'yauzl';

export interface ZipFileEntry {
  readonly data: Buffer;
  /** The entry's time as an unzip tool shows it. */
  readonly modified: Date;
}

/** Every file in a zip, by its name in the archive, read with yauzl (not the library that wrote it). */
export async function readZip(file: string): Promise<Map<string, ZipFileEntry>> {
  const zip = await yauzl.openPromise(file);
  const files = new Map<string, ZipFileEntry>();
  for await (const entry of zip.eachEntry()) {
    const data = await buffer(await zip.openReadStreamPromise(entry));
    files.set(entry.fileName, { data, modified: entry.getLastModDate() });
  }
  return files;
}
