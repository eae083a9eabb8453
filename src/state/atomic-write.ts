import { constants } from 'node:fs';
import { fsAsync } from './fs-async.js';
import { dirname, basename, join } from 'node:path';

let counter = 0;

/**
 * Writes a file so that a crash at any instant leaves either the old content
 * or the new one, never a torn mix: temp file in the same folder, fsync,
 * rename, then fsync the folder so the rename itself is durable. The temp
 * file is created exclusively (O_EXCL, O_NOFOLLOW): a symlink planted at its
 * name is refused, never written through.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  const fd = await fsAsync.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    await fsAsync.writeFile(fd, data);
    await fsAsync.fsync(fd);
  } catch (error) {
    await fsAsync.close(fd);
    await fsAsync.unlink(temp).catch(() => undefined);
    throw error;
  }
  await fsAsync.close(fd);
  await fsAsync.rename(temp, path);
  const folder = await fsAsync.open(dirname(path), 'r');
  try {
    await fsAsync.fsync(folder);
  } finally {
    await fsAsync.close(folder);
  }
}
