import { and, eq, isNull, sql } from 'drizzle-orm';
import { parseDuration } from '../../lib/duration.js';
import { enrolmentSettingsOf } from '../../schema/share-settings-of.js';
import { members, programs } from '../../schema/tables/index.js';
import type { enrolment } from '../../workflows/sandboxed/enrolment.js';
import { ENROLMENT_WORKFLOW_TYPE, enrolmentWorkflowId, type EnrolmentInput } from '../../workflows/sandboxed/share-email-ids.js';
import { syncTaskQueue } from '../../workflows/sandboxed/sync-task-queue.js';
import type { CustomerEventCreate } from '../contracts/customer-event-contract.js';
import { ApiError } from '../http/api-error.js';
import { assertProgramAccess } from '../http/api-key-auth.js';
import type { Principal } from '../http/hub-env.js';
import type { HubDeps } from './hub-deps.js';
import { createMemberService } from './member-service.js';

const START_DEADLINE_MS = 5000;

/**
 * `POST /api/v1/customers/events`: a customer did something (a purchase, a sign-up…). When the
 * program's `enrolment.on` lists the type and the address is not a member yet, they become one
 * and an `enrolment` workflow sends their welcome email and, later, one reminder. The workflow
 * is started inside the transaction that creates the member: either both happen or neither
 * (Temporal unreachable → 503, nothing created, the caller retries), so an enrolled member never
 * misses their emails and a repeated event, finding the member, sends nothing.
 */
export function createCustomerEventService(deps: HubDeps) {
  const memberService = createMemberService(deps.db, deps.publicUrl);

  async function startEnrolment(input: EnrolmentInput): Promise<void> {
    const temporal = deps.temporal;
    if (!temporal) throw new ApiError('unavailable', 'This hub has no Temporal client to enrol members with');
    try {
      await temporal.client.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        temporal.client.workflow.start<typeof enrolment>(ENROLMENT_WORKFLOW_TYPE, {
          workflowId: enrolmentWorkflowId(input.memberId),
          taskQueue: syncTaskQueue(temporal.taskQueue),
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      );
    } catch (err) {
      deps.logger.warn({ memberId: input.memberId, err: String(err) }, 'could not start an enrolment workflow');
      throw new ApiError('unavailable', 'Temporal is unreachable; nothing was recorded, try again shortly');
    }
  }

  return {
    async record(principal: Principal, input: CustomerEventCreate): Promise<{ memberId: string | null; enrolled: boolean }> {
      assertProgramAccess(principal, input.programId);
      const [program] = await deps.db.select().from(programs).where(eq(programs.id, input.programId));
      if (!program) throw new ApiError('not_found', `Program ${input.programId} not found`);
      const [existing] = await deps.db
        .select({ id: members.id })
        .from(members)
        .where(and(eq(members.programId, program.id), isNull(members.deletedAt), sql`lower(${members.email}) = lower(${input.email})`));
      const settings = enrolmentSettingsOf(program);
      // A paused or archived program takes no new members from events.
      if (existing || !settings.on.includes(input.type) || program.status !== 'active') {
        return { memberId: existing?.id ?? null, enrolled: false };
      }
      const { created, member } = await memberService.create(
        principal,
        { programId: program.id, email: input.email, firstName: input.firstName, lastName: input.lastName, customFields: {} },
        {
          onCreated: (m) =>
            startEnrolment({
              memberId: m.id,
              programId: program.id,
              sendWelcome: settings.sendWelcome,
              reminderAfterMs: settings.reminderAfter ? parseDuration(settings.reminderAfter) : null,
            }),
        },
      );
      return { memberId: member.id, enrolled: created };
    },
  };
}
