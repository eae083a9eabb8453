/** Pure: a Kubernetes object name (DNS-1035 label: lower case, digits, "-", a letter first, at most 63) for an apictl name. */
export function toKubernetesName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '');
  const named = /^[a-z]/.test(cleaned) ? cleaned : `s-${cleaned}`;
  return named.slice(0, 63).replace(/-+$/, '') || 's';
}

export const k8sLabels = (name: string) => ({ 'app.kubernetes.io/name': name });
