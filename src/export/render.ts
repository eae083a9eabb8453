import { renderCompose } from './compose.js';
import { renderHaproxy } from './haproxy.js';
import { renderK8s } from './k8s.js';
import { renderNginx } from './nginx.js';
import { renderSystemd } from './systemd.js';
import type { ExportTarget, Renderer } from './types.js';

export const RENDERERS: Record<ExportTarget, Renderer> = {
  compose: renderCompose,
  k8s: renderK8s,
  systemd: renderSystemd,
  nginx: renderNginx,
  haproxy: renderHaproxy,
};
