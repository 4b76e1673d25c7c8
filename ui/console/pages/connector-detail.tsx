import type { Context } from 'hono';
import type { createConnectorService } from '../../../hub/services/connector-service.js';
import { ActionButton } from '../components/action-button.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import type { ConsoleEnv } from '../console-env.js';
import type { formErrors } from '../form-errors.js';
import { ConnectorForm, type ConnectorDraft, type KindSchemas } from './connector-form.js';
import { canManageConnectors, kindName } from './connector-page-kit.js';

export type TestResult = { ok: true } | { ok: false; error: { kind: string; message: string; status: number | null } };
export type ConnectorJson = ReturnType<ReturnType<typeof createConnectorService>['json']>;

/** A connector's facts, what admins can do with it, and (for them) its edit form. */
export function ConnectorDetail(props: {
  c: Context<ConsoleEnv>;
  connector: ConnectorJson;
  kind: KindSchemas | undefined;
  programs: { id: string; name: string }[];
  draft?: ConnectorDraft;
  errors?: ReturnType<typeof formErrors>;
  test?: TestResult;
}) {
  const { c, connector: con } = props;
  const manage = canManageConnectors(c);
  const programName = new Map(props.programs.map((p) => [p.id, p.name]));
  const base = `/ui/connectors/${con.id}`;
  return (
    <>
      {props.test ? (
        props.test.ok ? (
          <p class="notice" role="status">
            Connection test passed.
          </p>
        ) : (
          <p class="alert" role="alert">
            Connection test failed ({props.test.error.kind}
            {props.test.error.status ? `, HTTP ${props.test.error.status}` : ''}): {props.test.error.message}
          </p>
        )
      ) : null}
      <section>
        <dl class="facts">
          <dt>Kind</dt>
          <dd>{kindName(con.kind)}</dd>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={con.enabled ? con.status : 'disabled'} />
            {con.statusReason ? <span> {con.statusReason}</span> : null}
          </dd>
          <dt>Programs</dt>
          <dd>{con.programIds.length === 0 ? 'All programs' : con.programIds.map((id) => programName.get(id) ?? id).join(', ')}</dd>
          <dt>Events</dt>
          <dd>{con.events.length === 0 ? 'All events' : con.events.join(', ')}</dd>
          <dt>Mapping</dt>
          <dd>{con.mapping ? `${con.mapping.length} fields` : "The kind's default"}</dd>
          <dt>Secrets</dt>
          <dd>
            {Object.keys(con.secrets).length === 0
              ? 'none'
              : Object.keys(con.secrets)
                  .map((k) => `${k}: set`)
                  .join(', ')}
          </dd>
          {manage && 'inboundUrl' in con && con.inboundUrl ? (
            <>
              <dt>Inbound URL</dt>
              <dd>
                <code>{con.inboundUrl}</code>
              </dd>
            </>
          ) : null}
          <dt>Updated</dt>
          <dd>
            <TimeText at={con.updatedAt} />
          </dd>
        </dl>
        <p>
          <a href={`${base}/mapping`}>Field mapping and preview</a> · <a href={`${base}/deliveries`}>Delivery log</a>
        </p>
        {manage ? (
          <p>
            {con.enabled ? (
              <ActionButton c={c} action={`${base}/disable`} label="Disable" kind="secondary" />
            ) : (
              <ActionButton c={c} action={`${base}/enable`} label="Enable" />
            )}
            <ActionButton c={c} action={`${base}/test`} label="Test connection" kind="secondary" />
          </p>
        ) : null}
      </section>
      {manage && props.kind ? (
        <>
          <h2>Edit</h2>
          <ConnectorForm
            c={c}
            action={base}
            kind={props.kind}
            draft={props.draft ?? { name: con.name, settings: con.settings, secrets: {}, events: con.events, programIds: con.programIds }}
            storedSecrets={Object.keys(con.secrets)}
            programs={props.programs}
            errors={props.errors?.fields}
            message={props.errors?.message}
            submit="Save changes"
          />
        </>
      ) : null}
    </>
  );
}
