import type { Principal } from '../../../hub/http/hub-env.js';
import { createProgramService } from '../../../hub/services/program-service.js';
import type { Db } from '../../../schema/db.js';

export interface ProgramChoice {
  id: string;
  name: string;
}

/** The programs the user may pick from (their own when limited), for forms that name programs. */
export async function programChoices(db: Db, principal: Principal): Promise<ProgramChoice[]> {
  const page = await createProgramService(db).list(principal, { limit: 200 });
  return page.data.map((p) => ({ id: p.id, name: p.name }));
}

/** One checkbox per program; none checked means every program (only offered to unlimited users). */
export function ProgramChoices(props: {
  programs: ProgramChoice[];
  checked: readonly string[];
  error?: string;
  hint?: string;
  legend?: string;
}) {
  return (
    <fieldset aria-describedby={props.error ? 'programIds-error' : props.hint ? 'programIds-hint' : undefined}>
      <legend>{props.legend ?? 'Programs'}</legend>
      {props.programs.length === 0 ? <p class="muted">No programs yet.</p> : null}
      {props.programs.map((p) => (
        <label class="inline">
          <input type="checkbox" name="programIds" value={p.id} checked={props.checked.includes(p.id)} />
          {p.name} <span class="muted">({p.id})</span>
        </label>
      ))}
      {props.hint ? (
        <p class="hint" id="programIds-hint">
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" id="programIds-error">
          {props.error}
        </p>
      ) : null}
    </fieldset>
  );
}
