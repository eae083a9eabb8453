/** Names that look like they hold a secret: *PASSWORD*, *SECRET*, *TOKEN*, *KEY* (any case). */
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|KEY/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Pure: splits an environment into what may sit in plain config and what looks secret. */
export function splitSecrets(env: Record<string, string>): { plain: Record<string, string>; secret: Record<string, string> } {
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) (isSecretName(name) ? secret : plain)[name] = value;
  return { plain, secret };
}

/** One warning per secret-looking variable written into `file` in clear. */
export function warnSecretsInClear(service: string, names: string[], file: string, instead: string): string[] {
  return names.map((name) => `${service}: env.${name}: looks secret and is written in clear into ${file}; ${instead}`);
}
