import type { RouteConfig } from '@fleet/config';

/**
 * Path-prefix routing (NGINX `location /prefix`): the longest matching prefix wins. The admin
 * API can switch a route to another upstream group at run time (blue-green); a reload starts
 * again from the config file.
 */
export interface RouteMatch {
  route: RouteConfig;
  /** Upstream group after admin overrides. */
  upstream: string;
  /** Path + query to send upstream (prefix stripped when the route says so). */
  upstreamPath: string;
}

export interface Router {
  match(pathname: string, search: string): RouteMatch | undefined;
  /** Point every route with this prefix at another group. False when no route has it. */
  switchRoute(prefix: string, upstream: string): boolean;
  list(): { prefix: string; upstream: string; configured: string }[];
}

function stripPrefix(pathname: string, prefix: string): string {
  const rest = pathname.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

export function createRouter(routes: readonly RouteConfig[]): Router {
  const sorted = [...routes].sort((a, b) => b.prefix.length - a.prefix.length);
  const overrides = new Map<string, string>();
  return {
    match(pathname, search) {
      const route = sorted.find((r) => pathname.startsWith(r.prefix));
      if (route === undefined) return undefined;
      const path = route.stripPrefix ? stripPrefix(pathname, route.prefix) : pathname;
      return {
        route,
        upstream: overrides.get(route.prefix) ?? route.upstream,
        upstreamPath: `${path}${search}`,
      };
    },
    switchRoute(prefix, upstream) {
      if (!sorted.some((r) => r.prefix === prefix)) return false;
      overrides.set(prefix, upstream);
      return true;
    },
    list() {
      return sorted.map((r) => ({
        prefix: r.prefix,
        upstream: overrides.get(r.prefix) ?? r.upstream,
        configured: r.upstream,
      }));
    },
  };
}
