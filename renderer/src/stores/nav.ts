import { defineStore } from 'pinia';
import { ref } from 'vue';

/** The screens of the workbench. */
export type ViewName = 'setup' | 'runs' | 'run' | 'library' | 'ticket' | 'compare' | 'sweeps' | 'experiment';

const VIEWS: readonly ViewName[] = ['setup', 'runs', 'run', 'library', 'ticket', 'compare', 'sweeps', 'experiment'];

/** A parsed location: `#/ticket/12`, `#/compare?experiment=3`, `#/compare?a=4&b=7`. */
export interface Route {
  readonly view: ViewName;
  readonly id: number | null;
  readonly query: Readonly<Record<string, string>>;
}

/** Parses a location hash; anything unknown is the runs view. */
export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [pathPart, queryPart = ''] = text.split('?');
  const [name, idText] = pathPart.split('/');
  const view = (VIEWS as readonly string[]).includes(name) ? (name as ViewName) : 'runs';
  const id = idText !== undefined && /^\d+$/.test(idText) ? Number(idText) : null;
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(queryPart)) query[k] = v;
  return { view, id, query };
}

/** The hash of a route. */
export function routeHash(view: ViewName, id?: number | null, query?: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `#/${view}${id !== undefined && id !== null ? `/${id}` : ''}${qs ? `?${qs}` : ''}`;
}

/** The current screen, kept in the location hash so back/forward and reloads work (no router dependency). */
export const useNavStore = defineStore('nav', () => {
  const route = ref<Route>(parseHash(typeof location === 'undefined' ? '' : location.hash));

  /** Follows the browser's hash. */
  function listen(): void {
    window.addEventListener('hashchange', () => {
      route.value = parseHash(location.hash);
    });
  }

  /** Goes to a screen. */
  function go(view: ViewName, id?: number | null, query?: Record<string, string | number | undefined>): void {
    const hash = routeHash(view, id, query);
    if (location.hash !== hash) location.hash = hash;
    route.value = parseHash(hash);
  }

  /** Rewrites the current screen's query in the address bar (no new history entry), so a shared URL reopens the same selection. */
  function setQuery(query: Record<string, string | number | undefined>): void {
    const hash = routeHash(route.value.view, route.value.id, query);
    if (location.hash === hash) return;
    if (typeof history !== 'undefined' && typeof history.replaceState === 'function') history.replaceState(null, '', hash);
    else location.hash = hash;
    route.value = parseHash(hash);
  }

  return { route, listen, go, setQuery };
});
