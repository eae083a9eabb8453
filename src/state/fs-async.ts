import { close, fsync, open, readFile, rename, unlink, writeFile } from 'node:fs';
import { promisify } from 'node:util';

// node:fs's callback API, promisified: node:fs/promises (FileHandle) brings
// ~10 more internal modules (streams, readline), ~0.7 MB the daemon would keep
// resident from its first state write on.
export const fsAsync = {
  open: promisify(open),
  close: promisify(close),
  fsync: promisify(fsync),
  rename: promisify(rename),
  unlink: promisify(unlink),
  writeFile: promisify(writeFile),
  readFile: promisify(readFile),
};
