/** The parts of an Express 5 router this reads (the `router` package's Layer and Route). */
interface RouteLayer {
  route?: { methods: Record<string, boolean | undefined> };
  match(path: string): boolean;
}

export interface RouterHolder {
  router?: { stack: RouteLayer[] };
}

/**
 * The methods the application's routes answer at a path, for a 405 with `Allow` when a request used another one.
 * Read from the Express router itself, so every route any controller adds counts without a list to keep.
 * `Layer.match` records the matched params on the layer; the router reads them in the same synchronous step right
 * after its own match, so a call from an exception filter (another tick) cannot mix into a request's params.
 */
export function allowedMethods(app: RouterHolder, path: string): string[] {
  const methods = new Set<string>();
  for (const layer of app.router?.stack ?? []) {
    if (!layer.route || !layer.match(path)) continue;
    for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') methods.add(m.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
