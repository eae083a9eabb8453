import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { FileProbe } from './validate.js';

export const diskProbe: FileProbe = {
  isFile(path) {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  which(command) {
    for (const folder of (process.env.PATH ?? '').split(delimiter)) {
      if (!folder) continue;
      const candidate = join(folder, command);
      try {
        accessSync(candidate, constants.X_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not in this folder
      }
    }
    return null;
  },
};
