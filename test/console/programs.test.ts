import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { signedInAs, type ConsoleClient } from '../support/console-client.js';

let h: Harness;
let admin: ConsoleClient;
let viewer: ConsoleClient;
let limited: ConsoleClient;
let programA: any;
let programB: any;

/** Every input of an empty form as the browser sends it: selects at their first option, boxes unticked. */
const blankRule = (i: number) => ({
  [`rewardRules.${i}.name`]: '',
  [`rewardRules.${i}.trigger`]: '',
  [`rewardRules.${i}.recipient`]: 'member',
  [`rewardRules.${i}.kind`]: 'cash',
  [`rewardRules.${i}.amount.type`]: 'fixed',
  [`rewardRules.${i}.amount.value`]: '',
  [`rewardRules.${i}.amount.cap`]: '',
  [`rewardRules.${i}.approval`]: 'auto',
  [`rewardRules.${i}.hold`]: '',
  [`rewardRules.${i}.limits.maxPerReferral`]: '',
  [`rewardRules.${i}.limits.maxPerMember`]: '',
  [`rewardRules.${i}.limits.window`]: '',
});

const baseForm = (slug: string) => ({
  name: `Program ${slug}`,
  slug,
  landingUrl: 'https://acme.example/welcome',
  currency: 'USD',
  cookieDays: '30',
  'payouts.minimumAmount': '0',
  'payouts.autoPay': 'on',
  'payouts.dailyCapPerMember': '',
  'share.allowedHostnames': '',
  'share.refParam': 'ref',
  'share.attribution': 'last_click',
  'share.offer.headline': '',
  'share.offer.friendOffer': '',
  'share.offer.description': '',
  'share.emailConnectorId': '',
  'share.invitesPerMemberPerDay': '20',
  'enrolment.on': '',
  'enrolment.sendWelcome': 'on',
  'enrolment.reminderAfter': '',
});

/** The error paragraph the form renders under the input named `name`. */
const errorOf = (html: string, name: string) => new RegExp(`id="f-${name.replace(/[^\w-]/g, '-')}-error">([^<]*)<`).exec(html)?.[1];

beforeAll(async () => {
  h = await createHarness({ worker: false });
  const make = async (slug: string) =>
    (await h.call('POST', '/api/v1/programs', { name: `Seeded ${slug}`, slug, landingUrl: 'https://acme.example/' })).body;
  ({ client: admin } = await signedInAs(h, 'admin'));
  // The empty list is checked before anything exists, so seed programs lazily in the first test.
  const empty = await admin.get('/ui/programs');
  expect(empty.status).toBe(200);
  expect(empty.text).toContain('No programs yet.');
  programA = await make('seeded-a');
  programB = await make('seeded-b');
  ({ client: viewer } = await signedInAs(h, 'viewer'));
  ({ client: limited } = await signedInAs(h, 'editor', { programIds: [programA.id] }));
});
afterAll(async () => {
  await h?.close();
});

describe('programs in the console', () => {
  it('lists programs with links, and offers "New program" to unlimited editors', async () => {
    const res = await admin.get('/ui/programs');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`href="/ui/programs/${programA.id}"`);
    expect(res.text).toContain(`href="/ui/programs/${programB.id}"`);
    expect(res.text).toContain('href="/ui/programs/new"');
  });

  it('creates a program with a held reward rule through the form; the blank rule row is ignored', async () => {
    const form = await admin.get('/ui/programs/new');
    expect(form.status).toBe(200);
    for (const label of ['Name', 'Slug', 'Rule name', 'Trigger', 'Recipient', 'Amount', 'Hold (days)', 'Approval', 'Kind']) {
      expect(form.text).toContain(`>${label}</label>`);
    }
    expect(form.text).toContain('New reward rule');
    expect(form.text).toContain('>Create program</button>');

    const res = await admin.post('/ui/programs/new', {
      ...baseForm('held-form'),
      'share.allowedHostnames': 'shop.example\n*.shop.example',
      'share.webConversions': 'on',
      'share.offer.headline': 'Give $10, get $20',
      'payouts.dailyCapPerMember': '250',
      'enrolment.on': 'purchase, signup',
      'enrolment.reminderAfter': '17',
      ...blankRule(0),
      'rewardRules.0.name': 'Ten on conversion',
      'rewardRules.0.trigger': 'conversion',
      'rewardRules.0.amount.value': '10',
      'rewardRules.0.hold': '14',
      'rewardRules.0.limits.maxPerMember': '5',
      ...blankRule(1),
      ...blankRule(2),
      'rewardRules.2.name': 'Percent for the friend',
      'rewardRules.2.trigger': 'subscription_renewed',
      'rewardRules.2.recipient': 'referral',
      'rewardRules.2.kind': 'credit',
      'rewardRules.2.amount.type': 'percent',
      'rewardRules.2.amount.value': '12.5',
      'rewardRules.2.amount.cap': '40',
      'rewardRules.2.approval': 'manual',
      'rewardRules.2.limits.maxPerReferral': '3',
      'rewardRules.2.limits.window': '36h',
    });
    expect(res.status, res.text.slice(0, 2000)).toBe(303);
    const id = /^\/ui\/programs\/(prg_\w+)$/.exec(res.headers.get('location') ?? '')?.[1];
    expect(id).toBeDefined();

    const saved = (await h.call('GET', `/api/v1/programs/${id}`)).body;
    expect(saved.rewardRules).toHaveLength(2);
    expect(saved.rewardRules[0]).toMatchObject({
      name: 'Ten on conversion',
      trigger: 'conversion',
      recipient: 'member',
      amount: { type: 'fixed', value: 10 },
      kind: 'cash',
      hold: '14d',
      approval: 'auto',
      limits: { maxPerMember: 5 },
    });
    expect(saved.rewardRules[1]).toMatchObject({
      trigger: 'subscription_renewed',
      recipient: 'referral',
      kind: 'credit',
      amount: { type: 'percent', value: 12.5, cap: 40 },
      approval: 'manual',
      limits: { maxPerReferral: 3, window: '36h' },
      hold: null,
    });
    expect(saved.share).toMatchObject({
      allowedHostnames: ['shop.example', '*.shop.example'],
      webConversions: true,
      offer: { headline: 'Give $10, get $20' },
    });
    expect(saved.payouts).toEqual({ minimumAmount: 0, autoPay: true, dailyCapPerMember: 250 });
    expect(saved.enrolment).toEqual({ on: ['purchase', 'signup'], sendWelcome: true, reminderAfter: '17d' });

    const page = await admin.get(`/ui/programs/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('created.');
    expect(page.text).toContain(saved.publishableKey);
    // The hold shows again as days in the edit form.
    expect(page.text).toMatch(/name="rewardRules\.0\.hold" type="text" value="14"/);
  });

  it('shows the API messages next to the rule fields and keeps what was typed (422)', async () => {
    const res = await admin.post('/ui/programs/new', {
      ...baseForm('Bad Slug'),
      ...blankRule(0),
      ...blankRule(1),
      'rewardRules.1.name': 'Refund bonus',
      'rewardRules.1.trigger': 'refund',
      'rewardRules.1.amount.value': 'ten',
      'rewardRules.1.hold': 'soon',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Check the highlighted fields');
    expect(errorOf(res.text, 'slug')).toContain('lower-case letters');
    // The blank row 0 was dropped, so the typed rule is row 0 now, and its errors are there.
    expect(errorOf(res.text, 'rewardRules.0.trigger')).toContain('cancel rewards');
    expect(errorOf(res.text, 'rewardRules.0.amount.value')).toBe('must be a number');
    expect(errorOf(res.text, 'rewardRules.0.hold')).toContain('a duration like');
    expect(res.text).toMatch(/name="rewardRules\.0\.name" type="text" value="Refund bonus"/);
    expect((await h.call('GET', '/api/v1/programs')).body.data.some((p: any) => p.name === 'Program Bad Slug')).toBe(false);

    const taken = await admin.post('/ui/programs/new', { ...baseForm('seeded-a') });
    expect(taken.status).toBe(422);
    expect(errorOf(taken.text, 'slug')).toBe('already taken');
  });

  it('edits settings and rules with Save: adds a rule from the blank row, removes one, updates the rest', async () => {
    const page = await admin.get(`/ui/programs/${programA.id}`);
    expect(page.text).toContain('>Save</button>');
    const add = await admin.post(`/ui/programs/${programA.id}`, {
      ...baseForm(''),
      name: 'Renamed A',
      status: 'paused',
      'payouts.minimumAmount': '25',
      'payouts.dailyCapPerMember': '100',
      'share.offer.friendOffer': '$5 off',
      // autoPay and webConversions unticked: sent as nothing.
      'payouts.autoPay': [],
      ...blankRule(0),
      'rewardRules.0.name': 'First',
      'rewardRules.0.trigger': 'conversion',
      'rewardRules.0.amount.value': '5',
      ...blankRule(1),
      'rewardRules.1.name': 'Second',
      'rewardRules.1.trigger': 'approved',
      'rewardRules.1.amount.value': '7',
    });
    expect(add.status, add.text.slice(0, 2000)).toBe(303);
    let saved = (await h.call('GET', `/api/v1/programs/${programA.id}`)).body;
    expect(saved).toMatchObject({ name: 'Renamed A', status: 'paused', slug: 'seeded-a' });
    expect(saved.payouts).toEqual({ minimumAmount: 25, autoPay: false, dailyCapPerMember: 100 });
    expect(saved.share.offer).toEqual({ friendOffer: '$5 off' });
    expect(saved.rewardRules.map((r: any) => [r.name, r.active])).toEqual([
      ['First', true],
      ['Second', true],
    ]);
    const [first, second] = saved.rewardRules;

    const edit = await admin.get(`/ui/programs/${programA.id}`);
    expect(edit.text).toContain(`name="rewardRules.0.id" value="${first.id}"`);
    expect(edit.text).toContain('Remove this rule');
    const remove = await admin.post(`/ui/programs/${programA.id}`, {
      ...baseForm(''),
      name: 'Renamed A',
      status: 'active',
      ...blankRule(0),
      'rewardRules.0.id': first.id,
      'rewardRules.0.name': 'First',
      'rewardRules.0.trigger': 'conversion',
      'rewardRules.0.amount.value': '5',
      'rewardRules.0.remove': 'on',
      ...blankRule(1),
      'rewardRules.1.id': second.id,
      'rewardRules.1.name': 'Second, held',
      'rewardRules.1.trigger': 'approved',
      'rewardRules.1.amount.value': '8',
      'rewardRules.1.hold': '3',
      ...blankRule(2),
    });
    expect(remove.status, remove.text.slice(0, 2000)).toBe(303);
    saved = (await h.call('GET', `/api/v1/programs/${programA.id}`)).body;
    expect(saved.rewardRules.map((r: any) => [r.id, r.name, r.active, r.hold])).toEqual([
      [first.id, 'First', false, null],
      [second.id, 'Second, held', true, '3d'],
    ]);
    expect((await admin.get(`/ui/programs/${programA.id}`)).text).toContain('Saved.');
  });

  it('re-renders the edit form with 422 and the message on the field', async () => {
    const res = await admin.post(`/ui/programs/${programB.id}`, {
      ...baseForm(''),
      landingUrl: 'ftp://nope',
      'share.allowedHostnames': 'ok.example\nhttps://bad.example/path',
      ...blankRule(0),
      'rewardRules.0.name': 'Percent',
      'rewardRules.0.trigger': 'conversion',
      'rewardRules.0.amount.type': 'percent',
      'rewardRules.0.amount.value': '150',
      ...blankRule(1),
      'rewardRules.1.name': 'No amount',
    });
    expect(res.status).toBe(422);
    expect(errorOf(res.text, 'landingUrl')).toBeDefined();
    expect(errorOf(res.text, 'share.allowedHostnames')).toContain('a hostname like');
    expect(errorOf(res.text, 'rewardRules.0.amount.value')).toMatch(/100/);
    expect(errorOf(res.text, 'rewardRules.1.amount.value')).toBe('required');
    expect(errorOf(res.text, 'rewardRules.1.trigger')).toBeDefined();
    expect((await h.call('GET', `/api/v1/programs/${programB.id}`)).body.rewardRules).toEqual([]);
  });

  it('rotates the publishable key', async () => {
    const before = (await h.call('GET', `/api/v1/programs/${programB.id}`)).body.publishableKey;
    await admin.get(`/ui/programs/${programB.id}`);
    const res = await admin.post(`/ui/programs/${programB.id}/publishable-key`);
    expect(res.status).toBe(303);
    const after = (await h.call('GET', `/api/v1/programs/${programB.id}`)).body.publishableKey;
    expect(after).not.toBe(before);
    expect((await admin.get(`/ui/programs/${programB.id}`)).text).toContain(after);
  });

  it('a viewer reads programs but sees no change controls, and is refused with 403 on every post', async () => {
    const list = await viewer.get('/ui/programs');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain('href="/ui/programs/new"');
    const page = await viewer.get(`/ui/programs/${programB.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('seeded-b');
    expect(page.text).toContain('paid automatically, minimum 0 USD');
    expect(page.text).not.toContain('<button type="submit">Save</button>');
    expect(page.text).not.toContain('Rotate publishable key');
    expect(page.text).not.toContain('name="rewardRules.0.name"');
    expect((await viewer.get('/ui/programs/new')).status).toBe(403);
    expect((await viewer.post('/ui/programs/new', baseForm('viewer-made'))).status).toBe(403);
    expect((await viewer.post(`/ui/programs/${programB.id}`, { ...baseForm(''), name: 'Viewer was here' })).status).toBe(403);
    expect((await viewer.post(`/ui/programs/${programB.id}/publishable-key`)).status).toBe(403);
    expect((await h.call('GET', `/api/v1/programs/${programB.id}`)).body.name).toBe('Seeded seeded-b');
  });

  it('a user limited to program A never sees or changes program B', async () => {
    const list = await limited.get('/ui/programs');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`/ui/programs/${programA.id}`);
    expect(list.text).not.toContain(programB.id);
    expect(list.text).not.toContain('href="/ui/programs/new"');
    expect((await limited.get(`/ui/programs/${programA.id}`)).status).toBe(200);
    const foreign = await limited.get(`/ui/programs/${programB.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain('seeded-b');
    expect((await limited.post(`/ui/programs/${programB.id}`, { ...baseForm(''), name: 'Taken over' })).status).toBe(404);
    expect((await limited.post(`/ui/programs/${programB.id}/publishable-key`)).status).toBe(404);
    const create = await limited.post('/ui/programs/new', baseForm('limited-made'));
    expect(create.status).toBe(403);
    expect(create.text).toContain('cannot create new ones');
    expect((await h.call('GET', `/api/v1/programs/${programB.id}`)).body.name).toBe('Seeded seeded-b');
  });
});
