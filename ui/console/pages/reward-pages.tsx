import type { Context, Hono } from 'hono';
import { ApiError } from '../../../hub/http/api-error.js';
import { REWARD_STATUSES } from '../../../schema/tables/rewards.js';
import { canChange } from '../components/action-button.js';
import { Pager } from '../components/pager.js';
import { SelectField } from '../components/select-field.js';
import { CsrfField } from '../console-layout.js';
import { consolePage } from '../console-page.js';
import { principalFor, type ConsoleEnv } from '../console-env.js';
import { formList, formText, readForm } from '../read-form.js';
import { backPath, herePath, listQuery, oneOf, PAGE_SIZE } from './people/list-query.js';
import type { PeopleServices } from './people/people-services.js';
import { programNames, programOptions } from './people/program-names.js';
import { BULK_FORM_ID, RewardTable } from './people/reward-table.js';

const ANY = 'all';
const STATUS_OPTIONS = [
  { value: 'pending', label: 'Awaiting approval (pending)' },
  ...REWARD_STATUSES.filter((s) => s !== 'pending').map((s) => ({ value: s, label: s })),
  { value: ANY, label: 'Any status' },
];
const VERBS = { approve: { done: 'Approved', word: 'approved' }, deny: { done: 'Denied', word: 'denied' } } as const;
type Decision = keyof typeof VERBS;

const plural = (n: number) => `${n} reward${n === 1 ? '' : 's'}`;

/**
 * The approval queue: pending rewards first (the default filter), approved or denied one by one or
 * in bulk. Each decision goes through the reward service, so a program-limited user can only
 * decide on their programs' rewards, and each is its own event with the user as actor.
 */
export function registerRewardPages(ui: Hono<ConsoleEnv>, s: PeopleServices) {
  ui.get('/rewards', async (c) => {
    const principal = principalFor(c.get('user'));
    const q = listQuery(c, ['status', 'program', 'member', 'referral', 'cursor'] as const);
    const status = q.status === ANY ? undefined : (oneOf(q.status, REWARD_STATUSES) ?? 'pending');
    const programs = await programNames(s, principal);
    const page = await s.rewards.list(principal, {
      status,
      programId: q.program,
      memberId: q.member,
      referralId: q.referral,
      limit: PAGE_SIZE,
      cursor: q.cursor,
    });
    const members = await s.members.summaries(
      principal,
      page.data.map((r) => r.memberId),
    );
    const back = herePath(c);
    return consolePage(
      c,
      'Rewards',
      <>
        <form class="filters" method="get" action="/ui/rewards" role="search" aria-label="Filter rewards">
          <SelectField name="status" label="Status" options={STATUS_OPTIONS} value={q.status === ANY ? ANY : (status ?? 'pending')} />
          <SelectField name="program" label="Program" options={programOptions(programs)} value={q.program} empty="All programs" />
          {q.member ? <input type="hidden" name="member" value={q.member} /> : null}
          {q.referral ? <input type="hidden" name="referral" value={q.referral} /> : null}
          <div>
            <button type="submit" class="secondary">
              Filter
            </button>
          </div>
        </form>
        {q.member || q.referral ? (
          <p class="muted">
            {q.member ? `Only rewards of member ${q.member}. ` : ''}
            {q.referral ? `Only rewards of referral ${q.referral}. ` : ''}
            <a href="/ui/rewards">Show all</a>
          </p>
        ) : null}
        {canChange(c) && page.data.length > 0 ? (
          <form id={BULK_FORM_ID} method="post" action="/ui/rewards/decide">
            <CsrfField c={c} />
            <input type="hidden" name="back" value={back} />
            <button type="submit" name="decision" value="approve">
              Approve selected
            </button>
            <button type="submit" name="decision" value="deny" class="danger">
              Deny selected
            </button>
          </form>
        ) : null}
        <RewardTable c={c} rewards={page.data} back={back} members={members} programs={programs} selectable />
        <Pager path="/ui/rewards" query={q} nextCursor={page.nextCursor} />
      </>,
    );
  });

  ui.post('/rewards/decide', async (c) => {
    const form = await readForm(c);
    const back = backPath(formText(form, 'back'), '/ui/rewards');
    const decision = oneOf(formText(form, 'decision'), ['approve', 'deny'] as const);
    const ids = [...new Set(formList(form, 'ids'))].slice(0, 500);
    if (!decision) s.deps.cookies.flash(c, 'Choose "Approve selected" or "Deny selected".');
    else if (ids.length === 0) s.deps.cookies.flash(c, 'Select at least one reward first.');
    else s.deps.cookies.flash(c, await decideAll(c, s, decision, ids));
    return c.redirect(back, 303);
  });

  for (const decision of ['approve', 'deny'] as const) {
    ui.post(`/rewards/:id/${decision}`, async (c) => {
      const form = await readForm(c);
      const id = c.req.param('id');
      const failure = await decideOne(c, s, decision, id);
      s.deps.cookies.flash(
        c,
        failure ? `Reward ${id} could not be ${VERBS[decision].word}: ${failure}` : `${VERBS[decision].done} reward ${id}.`,
      );
      return c.redirect(backPath(formText(form, 'back'), '/ui/rewards'), 303);
    });
  }
}

/** Why the decision was refused (undefined when it was made); a reward the user may not see is "not found". */
async function decideOne(c: Context<ConsoleEnv>, s: PeopleServices, decision: Decision, id: string): Promise<string | undefined> {
  const principal = principalFor(c.get('user'));
  try {
    if (decision === 'approve') await s.rewards.approve(principal, id);
    else await s.rewards.deny(principal, id);
    return undefined;
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) return err.status === 404 ? 'not found' : err.message;
    throw err;
  }
}

/** Decides each reward on its own (one refusal never undoes the others) and sums up what happened. */
async function decideAll(c: Context<ConsoleEnv>, s: PeopleServices, decision: Decision, ids: string[]): Promise<string> {
  const failures: string[] = [];
  for (const id of ids) {
    const failure = await decideOne(c, s, decision, id);
    if (failure) failures.push(`${id}: ${failure}`);
  }
  const done = ids.length - failures.length;
  const verb = VERBS[decision];
  const head = `${verb.done} ${plural(done)}`;
  if (failures.length === 0) return `${head}.`;
  return `${head}; ${failures.length} could not be ${verb.word}: ${failures.join('; ')}`;
}
