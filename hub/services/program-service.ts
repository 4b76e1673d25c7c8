import { and, asc, desc, eq, inArray, lt, notInArray, sql } from 'drizzle-orm';
import { newId } from '../../lib/ids.js';
import type { Db } from '../../schema/db.js';
import { programJson } from '../../schema/public-json.js';
import { planProgramPayouts } from '../../workflows/activities/plan-payouts.js';
import { programs, rewardRules } from '../../schema/tables/index.js';
import type { ProgramCreate, ProgramPatch, RewardRuleInput } from '../contracts/program-contract.js';
import { ApiError } from '../http/api-error.js';
import { canAccessProgram } from '../http/api-key-auth.js';
import type { Principal } from '../http/hub-env.js';
import { decodeCursor, pageOf } from './page-cursor.js';
import { newPublishableKey } from './publishable-key.js';
import { assertEmailConnector } from './assert-email-connector.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

const ruleValues = (programId: string, r: RewardRuleInput, position: number) => ({
  programId,
  position,
  name: r.name,
  trigger: r.trigger,
  recipient: r.recipient,
  amount: r.amount,
  kind: r.kind,
  limits: r.limits ?? {},
  hold: r.hold ?? null,
  approval: r.approval ?? 'auto',
  active: true,
});

export function createProgramService(db: Db) {
  async function load(tx: Pick<Db, 'select'>, id: string) {
    const [program] = await tx.select().from(programs).where(eq(programs.id, id));
    if (!program) return undefined;
    const rules = await tx.select().from(rewardRules).where(eq(rewardRules.programId, id)).orderBy(asc(rewardRules.position));
    return programJson(program, rules);
  }

  /** Loads a program the caller may see, or throws 404 (other programs' ids are not revealed). */
  async function getVisible(principal: Principal, id: string) {
    const program = canAccessProgram(principal, id) ? await load(db, id) : undefined;
    if (!program) throw new ApiError('not_found', `Program ${id} not found`);
    return program;
  }

  return {
    getVisible,

    async create(principal: Principal, input: ProgramCreate) {
      // A key limited to some programs could not see what it made: new programs take an unlimited key.
      if (principal.programIds.length > 0)
        throw new ApiError('forbidden', 'This API key is limited to some programs and cannot create new ones');
      if (input.share?.emailConnectorId) await assertEmailConnector(db, principal, undefined, input.share.emailConnectorId);
      return db.transaction(async (tx) => {
        const id = newId('prg');
        const inserted = await tx
          .insert(programs)
          .values({
            id,
            slug: input.slug,
            name: input.name,
            landingUrl: input.landingUrl,
            currency: input.currency,
            cookieDays: input.cookieDays,
            payouts: input.payouts ?? {},
            share: input.share ?? {},
            enrolment: input.enrolment ?? {},
            publishableKey: newPublishableKey(),
          })
          .onConflictDoNothing({ target: programs.slug })
          .returning({ id: programs.id });
        if (inserted.length === 0) {
          throw new ApiError('validation_failed', `A program with slug "${input.slug}" already exists`, [
            { path: 'slug', message: 'already taken' },
          ]);
        }
        if (input.rewardRules.length > 0) {
          await tx.insert(rewardRules).values(input.rewardRules.map((r, i) => ({ id: newId('rul'), ...ruleValues(id, r, i) })));
        }
        return (await load(tx, id))!;
      });
    },

    async list(principal: Principal, q: { limit: number; cursor?: string }) {
      const after = decodeCursor(q.cursor, 1);
      const conditions = [
        principal.programIds.length > 0 ? inArray(programs.id, principal.programIds) : undefined,
        after ? lt(programs.id, after[0] as string) : undefined,
      ];
      const rows = await db
        .select()
        .from(programs)
        .where(and(...conditions))
        .orderBy(desc(programs.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (p) => [p.id]);
      const rules =
        page.data.length > 0
          ? await db
              .select()
              .from(rewardRules)
              .where(
                inArray(
                  rewardRules.programId,
                  page.data.map((p) => p.id),
                ),
              )
              .orderBy(asc(rewardRules.position))
          : [];
      return {
        data: page.data.map((p) =>
          programJson(
            p,
            rules.filter((r) => r.programId === p.id),
          ),
        ),
        nextCursor: page.nextCursor,
      };
    },

    /** A new publishable key; the old one stops working with this commit (keys are never cached). */
    async rotatePublishableKey(principal: Principal, id: string): Promise<{ publishableKey: string }> {
      await getVisible(principal, id);
      const publishableKey = newPublishableKey();
      await db.update(programs).set({ publishableKey, updatedAt: new Date() }).where(eq(programs.id, id));
      return { publishableKey };
    },

    async patch(principal: Principal, id: string, input: ProgramPatch) {
      await getVisible(principal, id);
      if (input.share?.emailConnectorId) await assertEmailConnector(db, principal, id, input.share.emailConnectorId);
      return db.transaction(async (tx) => {
        const { rewardRules: rules, payouts, share, enrolment, ...fields } = input;
        await tx
          .update(programs)
          .set({
            ...fields,
            // Merged in SQL, so two PATCHes of different settings at once both stay.
            ...(payouts ? { payouts: sql`${programs.payouts} || ${JSON.stringify(payouts)}::jsonb` } : {}),
            ...(share ? { share: sql`${programs.share} || ${JSON.stringify(share)}::jsonb` } : {}),
            ...(enrolment ? { enrolment: sql`${programs.enrolment} || ${JSON.stringify(enrolment)}::jsonb` } : {}),
            updatedAt: new Date(),
          })
          .where(eq(programs.id, id));
        if (rules) await replaceRules(tx, id, rules);
        // A lower minimum may make approved rewards that were waiting payable now (payouts already
        // held for a person stay held: they are sent one by one).
        if (payouts) await planProgramPayouts(tx, id);
        return (await load(tx, id))!;
      });
    },
  };
}

/**
 * Rules are never deleted (rewards point at them): listed ids are updated, new entries added,
 * and rules left out are deactivated so they stop firing but history stays explainable.
 */
async function replaceRules(tx: Tx, programId: string, rules: RewardRuleInput[]) {
  const existing = await tx.select({ id: rewardRules.id }).from(rewardRules).where(eq(rewardRules.programId, programId));
  const known = new Set(existing.map((r) => r.id));
  const keep: string[] = [];
  for (const [i, rule] of rules.entries()) {
    if (rule.id !== undefined) {
      if (!known.has(rule.id))
        throw new ApiError('validation_failed', `Rule ${rule.id} is not part of this program`, [
          { path: `rewardRules.${i}.id`, message: 'unknown rule' },
        ]);
      await tx
        .update(rewardRules)
        .set(ruleValues(programId, rule, i))
        .where(eq(rewardRules.id, rule.id));
      keep.push(rule.id);
    } else {
      const id = newId('rul');
      await tx.insert(rewardRules).values({ id, ...ruleValues(programId, rule, i) });
      keep.push(id);
    }
  }
  await tx
    .update(rewardRules)
    .set({ active: false })
    .where(
      keep.length > 0 ? and(eq(rewardRules.programId, programId), notInArray(rewardRules.id, keep)) : eq(rewardRules.programId, programId),
    );
}
