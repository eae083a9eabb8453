import { ApictlError } from '../../errors.js';
import { COMMANDS } from '../commands.js';
import { renderCompletion, SHELLS, type Shell } from '../completion/scripts.js';

export async function run(shell: string): Promise<void> {
  if (!SHELLS.includes(shell as Shell)) {
    throw new ApictlError('APICTL_USAGE', `completion: unknown shell "${shell}"`, { hint: `one of: ${SHELLS.join(', ')}` });
  }
  process.stdout.write(renderCompletion(shell as Shell, COMMANDS));
}
