// Which build of the daemon bundle a file comes from: scripts/bundle-daemon.mjs
// stamps every file of one build with the same id. A daemon that loads a file
// later (daemon-checks.cjs) can tell one installed since it started.
declare const __APICTL_BUILD__: string | undefined;

export const BUILD_ID: string = typeof __APICTL_BUILD__ === 'string' ? __APICTL_BUILD__ : 'source';
