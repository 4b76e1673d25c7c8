import { afterAll, beforeAll, expect, it } from 'vitest';
import { routeTable } from '../../hub/route-table.js';
import { createHarness, type Harness } from '../support/hub-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

// docs/routes.md is the route list ARCHITECTURE.md points to; after adding or changing a route,
// `npx vitest run test/readme/route-table.test.ts -u` rewrites it.
it('docs/routes.md lists every route of /openapi.json', async () => {
  const intro =
    '# Routes\n\nGenerated from `/openapi.json` by `test/readme/route-table.test.ts` (run it with `-u` after changing a route).\n' +
    'Outside the API: `GET /r/:code` (referral links), `GET`/`POST /u/:token` (unsubscribe links in share emails), `GET /healthz`, `GET /readyz`, `GET /metrics`, `GET /openapi.json`, `GET /docs`.\n' +
    'Hosted pages (HTML for people): `GET|POST /p/:slug` (landing), `GET|POST /p/:slug/join`, `GET /p/:slug/portal`, `POST /p/:slug/login`, ' +
    '`GET|POST /p/:slug/portal/login`, `POST /p/:slug/logout`.\n\n';
  await expect(`${intro}${await routeTable(h.app)}\n`).toMatchFileSnapshot('../../docs/routes.md');
});
