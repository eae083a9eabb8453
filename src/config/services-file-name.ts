import { basename, extname } from 'node:path';

/** pm2 ecosystem files (and other `*.config.js`): configuration, never a service to run. */
export const SCRIPT_CONFIG = /\.config\.(c|m)?js$/;

/** True for names that can only be a services file: such a target is never started as a script. */
export function isServicesFileName(path: string): boolean {
  return ['.json', '.yaml', '.yml'].includes(extname(path).toLowerCase()) || SCRIPT_CONFIG.test(path) || basename(path) === 'dump.pm2';
}
