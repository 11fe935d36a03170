import type { RouteConfig } from '@fleet/config';

/**
 * Path-prefix routing (NGINX `location /prefix`): the longest matching prefix wins. A router is
 * immutable (it is part of a config snapshot): the admin API's blue-green switch builds a new
 * router with the override (`withRoute`), swapped in as a new snapshot; a reload starts again
 * from the config file.
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
  /** A router with every route of this prefix pointed at another group; undefined when no route has it. */
  withRoute(prefix: string, upstream: string): Router | undefined;
  list(): { prefix: string; upstream: string; configured: string }[];
}

function stripPrefix(pathname: string, prefix: string): string {
  const rest = pathname.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

export function createRouter(routes: readonly RouteConfig[], overrides: ReadonlyMap<string, string> = new Map()): Router {
  const sorted = [...routes].sort((a, b) => b.prefix.length - a.prefix.length);
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
    withRoute(prefix, upstream) {
      if (!sorted.some((r) => r.prefix === prefix)) return undefined;
      return createRouter(routes, new Map([...overrides, [prefix, upstream]]));
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
