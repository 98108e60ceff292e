// A small history router: every page lives under /app/; the service answers index.html for any
// /app/<route>, so a reload or a shared link lands on the same page.
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/app';
const listeners = new Set<() => void>();

/** The route after /app, e.g. "/login"; "/" for /app/. */
export function currentRoute(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return path.replace(/\/+$/, '') || '/';
}

export function navigate(route: string, options: { replace?: boolean } = {}): void {
  const url = `${BASE}${route}`;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((listener) => listener());
}

addEventListener('popstate', () => listeners.forEach((listener) => listener()));

/** Re-renders the caller when the route changes. */
export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    // A page may navigate in its own first effect, which runs before this one (children first).
    update();
    return () => void listeners.delete(update);
  }, []);
  return route;
}
