import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { and, asc, eq, lt } from 'drizzle-orm';
import type { Logger } from '../../lib/logger.js';
import { within } from '../../lib/within.js';
import type { Db } from '../../schema/db.js';
import { shareEmails } from '../../schema/tables/index.js';
import type { shareEmail } from '../sandboxed/share-email.js';
import { SHARE_EMAIL_WORKFLOW_TYPE, shareEmailWorkflowId } from '../sandboxed/share-email-ids.js';
import { syncTaskQueue } from '../sandboxed/sync-task-queue.js';

export interface ShareEmailWakerDeps {
  db: Db;
  client: Client;
  /** The lifecycle task queue; share emails are sent from its sync queue. */
  taskQueue: string;
  logger: Logger;
}

const CALL_DEADLINE_MS = 5000;
const QUERY_DEADLINE_MS = 5000;
const CONCURRENCY = 8;
const BATCH = 500;
// Older than this and still queued: the request that queued it may have failed to start its workflow.
const SWEEP_AFTER_MS = 60_000;

/**
 * Starts the workflow that sends each queued invite. The request commits the `queued` rows first
 * and then calls `queued`; a start that fails there (Temporal unreachable, the hub stopped) is
 * made by the periodic sweep, which starts the same workflow id again for every invite still
 * queued: a start for a workflow that is already running is refused, so nothing is sent twice.
 */
export function createShareEmailWaker(deps: ShareEmailWakerDeps) {
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<number> | undefined;

  async function startOne(shareEmailId: string): Promise<void> {
    try {
      await deps.client.connection.withDeadline(Date.now() + CALL_DEADLINE_MS, () =>
        deps.client.workflow.start<typeof shareEmail>(SHARE_EMAIL_WORKFLOW_TYPE, {
          workflowId: shareEmailWorkflowId(shareEmailId),
          taskQueue: syncTaskQueue(deps.taskQueue),
          args: [{ shareEmailId }],
          // A run that failed or was terminated with its email still queued may run again.
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  /** Starts each id's workflow, a few at a time; returns how many could not be started. */
  async function startAll(ids: string[]): Promise<number> {
    let failed = 0;
    let next = 0;
    const lane = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        await startOne(id).catch((err) => {
          failed++;
          deps.logger.warn({ shareEmailId: id, err: String(err) }, 'could not start a share email workflow; the sweep will');
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, lane));
    return failed;
  }

  async function sweepOnce(): Promise<number> {
    const stale = await within(
      QUERY_DEADLINE_MS,
      deps.db
        .select({ id: shareEmails.id })
        .from(shareEmails)
        // Welcome emails and reminders are queued by their enrolment workflow, which sends them itself.
        .where(
          and(
            eq(shareEmails.status, 'queued'),
            eq(shareEmails.kind, 'invite'),
            lt(shareEmails.createdAt, new Date(Date.now() - SWEEP_AFTER_MS)),
          ),
        )
        .orderBy(asc(shareEmails.createdAt))
        .limit(BATCH),
      'listing queued share emails',
    );
    await startAll(stale.map((r) => r.id));
    return stale.length;
  }

  return {
    /** Invites the request just committed as queued; never throws (what fails here the sweep starts). */
    async queued(ids: string[]): Promise<void> {
      await startAll(ids);
    },
    /** One pass over invites queued for over a minute; returns how many it found. */
    sweep(): Promise<number> {
      sweeping ??= sweepOnce().finally(() => {
        sweeping = undefined;
      });
      return sweeping;
    },
    start(intervalMs: number): void {
      timer = setInterval(() => {
        this.sweep().catch((err) => deps.logger.warn({ err: String(err) }, 'share email sweep failed'));
      }, intervalMs);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}

export type ShareEmailWaker = ReturnType<typeof createShareEmailWaker>;
