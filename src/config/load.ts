import { ApictlError } from '../errors.js';
import type { StartParams } from '../protocol/methods.js';
import type { RouteTable } from '../types.js';
import type { FileProbe, ServiceDraft } from './draft.js';
import { lineLookup } from './issues.js';
import { validateService, validateServicesFile, type Validation } from './validate.js';

/**
 * What a `start` asks for, validated: a services file the CLI read (with the
 * lines of its values) or one service from flags, narrowed by `only`. Any
 * problem is one APICTL_INVALID_CONFIG listing every issue; nothing starts.
 */
export function loadDrafts(params: StartParams, probe: FileProbe): { drafts: ServiceDraft[]; routes?: RouteTable } {
  const file = 'file' in params ? params.file : null;
  const validation: Validation = file
    ? validateServicesFile(file.raw, file.baseDir, probe, lineLookup(file.lines))
    : validateService('service' in params ? params.service : undefined, params.cwd, probe);
  if (!validation.ok) {
    const where = file ? `${file.source}: ` : '';
    throw new ApictlError(
      'APICTL_INVALID_CONFIG',
      validation.issues.length === 1 ? `${where}${validation.issues[0]}` : `${where}${validation.issues.length} problems; nothing was started`,
      { details: { issues: validation.issues }, hint: file ? 'fix the file and run the command again' : 'see `apictl start --help`' },
    );
  }
  const only = params.only;
  if (!only) return { drafts: validation.drafts, routes: validation.routes };
  const known = new Set(validation.drafts.map((draft) => draft.name));
  const unknown = only.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new ApictlError('APICTL_USAGE', `--only: no service named ${unknown.map((n) => `"${n}"`).join(', ')} in ${file?.source ?? 'the command line'}`, {
      hint: `the file defines: ${[...known].join(', ')}`,
    });
  }
  // --only starts some services: the file's routes come along only with all of them.
  return { drafts: validation.drafts.filter((draft) => only.includes(draft.name)) };
}
