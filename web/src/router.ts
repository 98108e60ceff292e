// A small history router: every page lives under /app/; the service answers index.html for any
// /app/<route>, so a reload or a shared link lands on the same page.
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/app';
const listeners = new Set<() => void>();
/**
 * Counts navigations (links, navigate(), back and forward). A page's own replaceState (filters
 * kept in the address bar, a code taken out of it) is not one.
 */
let visits = 0;

/** The route after /app, e.g. "/login"; "/" for /app/. */
export function currentRoute(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return path.replace(/\/+$/, '') || '/';
}

export function navigate(route: string, options: { replace?: boolean } = {}): void {
  const url = `${BASE}${route}`;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  visits++;
  listeners.forEach((listener) => listener());
}

addEventListener('popstate', () => {
  visits++;
  listeners.forEach((listener) => listener());
});

const currentVisit = () => String(visits);

/** Re-renders the caller when `read()` changes on a navigation (back and forward too). */
function useNavigation(read: () => string): string {
  const [value, setValue] = useState(read);
  useEffect(() => {
    const update = () => setValue(read());
    listeners.add(update);
    // A page may navigate in its own first effect, which runs before this one (children first).
    update();
    return () => void listeners.delete(update);
  }, [read]);
  return value;
}

/** The current route; re-renders the caller when it changes. */
export const useRoute = () => useNavigation(currentRoute);

/**
 * Which navigation this is; re-renders the caller on every one. A page keyed by it starts afresh
 * even when a link leads to the same route with another query (another account's page).
 */
export const useVisit = () => useNavigation(currentVisit);
