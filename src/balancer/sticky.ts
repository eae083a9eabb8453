const COOKIE = 'apictl_instance';

/** Pure: the instance index a client's sticky cookie names, or null. */
export function readStickyIndex(cookieHeader: string | undefined): number | null {
  if (!cookieHeader) return null;
  const match = new RegExp(`(?:^|;\\s*)${COOKIE}=(\\d+)`).exec(cookieHeader);
  return match ? Number(match[1]) : null;
}

export function stickyCookie(index: number): string {
  return `${COOKIE}=${index}; Path=/; HttpOnly; SameSite=Lax`;
}
