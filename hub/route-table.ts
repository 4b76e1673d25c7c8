import type { HubApp } from './create-app.js';

/**
 * Every route of the API as a Markdown table (method, path, what it does), read from the app's
 * own OpenAPI document so it cannot drift from the code. ARCHITECTURE.md carries it, and a test
 * checks that the copy there is current (`npm run routes` prints it).
 */
export async function routeTable(app: HubApp): Promise<string> {
  const res = await app.request('/openapi.json');
  const doc = (await res.json()) as { paths: Record<string, Record<string, { summary?: string; tags?: string[] }>> };
  const rows = Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, op]) => ({
      tag: op.tags?.[0] ?? '',
      method: method.toUpperCase(),
      path,
      summary: op.summary ?? '',
    })),
  );
  const lines = rows.map((r) => `| ${r.tag} | \`${r.method} ${r.path}\` | ${r.summary.replaceAll('|', '\\|')} |`);
  return ['| Area | Route | What it does |', '|---|---|---|', ...lines].join('\n');
}
