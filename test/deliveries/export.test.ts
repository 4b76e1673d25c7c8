import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { parseCsv } from '../support/schedule-helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

it('exports any time frame as RFC 4180 CSV with chosen fields, filtered by program', async () => {
  const a = await programWithMember(h, []);
  const b = await programWithMember(h, []);
  const tricky = await convert(h, a.program.id, a.member.referralCode, { firstName: 'Ann, "the" Great\nSecond line' });
  await convert(h, b.program.id, b.member.referralCode);
  const res = await h.app.request(`/api/v1/exports/referrals.csv?programId=${a.program.id}&fields=email,firstName,status,member.email`, {
    headers: { authorization: 'Bearer rh_test_bootstrap_key_0123456789abcdef' },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/csv');
  const rows = parseCsv(await res.text());
  expect(rows).toEqual([
    ['email', 'firstName', 'status', 'member.email'],
    [tricky.email, 'Ann, "the" Great\nSecond line', 'pending', a.member.email],
  ]);

  const later = await h.app.request(
    `/api/v1/exports/referrals.csv?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    {
      headers: { authorization: 'Bearer rh_test_bootstrap_key_0123456789abcdef' },
    },
  );
  expect(parseCsv(await later.text())).toHaveLength(1); // header only

  const members = await h.app.request(`/api/v1/exports/members.csv?programId=${a.program.id}&programId=${b.program.id}`, {
    headers: { authorization: 'Bearer rh_test_bootstrap_key_0123456789abcdef' },
  });
  expect(parseCsv(await members.text())).toHaveLength(3);

  const bad = await h.call('GET', '/api/v1/exports/referrals.csv?fields=__proto__.x');
  expect(bad.status).toBe(422);
});

it('guards against spreadsheet formulas, ends lines with CRLF, and falls back to the mapping path for nested fields', async () => {
  const { program, member } = await programWithMember(h, []);
  const evil = await convert(h, program.id, member.referralCode, {
    firstName: '=HYPERLINK("http://x")',
    lastName: '-12.5',
    customFields: { plan: 'pro' },
  });
  const auth = { headers: { authorization: 'Bearer rh_test_bootstrap_key_0123456789abcdef' } };
  const fast = await (
    await h.app.request(`/api/v1/exports/referrals.csv?programId=${program.id}&fields=email,firstName,lastName`, auth)
  ).text();
  expect(fast).toBe(`email,firstName,lastName\r\n${evil.email},"'=HYPERLINK(""http://x"")",-12.5\r\n`);
  const nested = await (
    await h.app.request(`/api/v1/exports/referrals.csv?programId=${program.id}&fields=email,customFields.plan`, auth)
  ).text();
  expect(nested).toBe(`email,customFields.plan\r\n${evil.email},pro\r\n`);
});

it('members.csv: mapped fields (custom fields, member.* paths) come out filled, like plain ones', async () => {
  const { program, member } = await programWithMember(h, []);
  await h.call('PATCH', `/api/v1/members/${member.id}`, { lastName: 'Lee', customFields: { tier: 'gold', score: 7 } });
  const auth = { headers: { authorization: 'Bearer rh_test_bootstrap_key_0123456789abcdef' } };
  const fields = 'email,customFields.tier,member.firstName,lastName,customFields.score,referralCode';
  const text = await (await h.app.request(`/api/v1/exports/members.csv?programId=${program.id}&fields=${fields}`, auth)).text();
  expect(parseCsv(text)).toEqual([
    ['email', 'customFields.tier', 'member.firstName', 'lastName', 'customFields.score', 'referralCode'],
    [member.email, 'gold', 'Ann', 'Lee', '7', member.referralCode],
  ]);
  // The plain (COPY) path and the mapping path agree on the same plain fields.
  const plain = await (
    await h.app.request(`/api/v1/exports/members.csv?programId=${program.id}&fields=email,lastName,referralCode`, auth)
  ).text();
  const mapped = await (
    await h.app.request(
      `/api/v1/exports/members.csv?programId=${program.id}&fields=email,member.lastName,referralCode,customFields.none`,
      auth,
    )
  ).text();
  expect(
    parseCsv(mapped)
      .slice(1)
      .map((r) => r.slice(0, 3)),
  ).toEqual(parseCsv(plain).slice(1));
});

it('the COPY path guards every formula lead (= + - @ tab CR) like the CSV writer, and leaves plain numbers alone', async () => {
  const { program, member } = await programWithMember(h, []);
  const leads = ['=1+1', '+1+cmd', '-2+3', '@SUM(1)', '\tTAB', '\rCR', '-7', 'plain'];
  for (const firstName of leads) await convert(h, program.id, member.referralCode, { firstName });
  const auth = { headers: { authorization: 'Bearer rh_test_bootstrap_key_0123456789abcdef' } };
  const text = await (await h.app.request(`/api/v1/exports/referrals.csv?programId=${program.id}&fields=firstName`, auth)).text();
  expect(
    parseCsv(text)
      .slice(1)
      .map((r) => r[0]),
  ).toEqual(["'=1+1", "'+1+cmd", "'-2+3", "'@SUM(1)", "'\tTAB", "'\rCR", '-7', 'plain']);
});

it('over a real HTTP server both export paths go straight to the socket and match the in-process answer byte for byte', async () => {
  const { serve } = await import('@hono/node-server');
  const a = await programWithMember(h, []);
  for (let i = 0; i < 30; i++)
    await convert(h, a.program.id, a.member.referralCode, { firstName: i % 2 ? `=cmd|${i}` : `Line\n${i}, "quoted"` });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  try {
    const { port } = server.address() as { port: number };
    const headers = { authorization: 'Bearer rh_test_bootstrap_key_0123456789abcdef' };
    const exportOf = async (fields: string) => {
      const path = `/api/v1/exports/referrals.csv?programId=${a.program.id}&fields=${fields}`;
      const overHttp = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
      expect(overHttp.status).toBe(200);
      expect(overHttp.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(overHttp.headers.get('content-disposition')).toMatch(/^attachment; filename="referrals-\d{4}-\d{2}-\d{2}\.csv"$/);
      const httpText = await overHttp.text();
      const inProcess = await (await h.app.request(path, { headers })).text();
      expect(httpText).toBe(inProcess);
      return parseCsv(httpText);
    };
    // COPY path (plain columns), then the mapping path (a nested field forces it).
    const copied = await exportOf('email,firstName,status');
    expect(copied).toHaveLength(31);
    expect(copied.some((r) => r[1] === "'=cmd|1")).toBe(true); // formula guard on this path too
    const mapped = await exportOf('email,firstName,status,member.email,customFields.plan');
    // The mapping path selects only the columns it reads, and still agrees with COPY on them.
    expect(mapped.map((r) => r.slice(0, 3))).toEqual(copied);
    expect(mapped.slice(1).every((r) => r[3] === a.member.email && r[4] === '')).toBe(true);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
