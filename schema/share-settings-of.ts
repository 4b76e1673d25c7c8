import type { EnrolmentSettings, ShareSettings } from './tables/programs.js';

/** A program's share settings with every default filled in (browser conversions off until turned on). */
export function shareSettingsOf(program: { share: ShareSettings | null }) {
  const s = program.share ?? {};
  return {
    allowedHostnames: s.allowedHostnames ?? [],
    webConversions: s.webConversions ?? false,
    refParam: s.refParam ?? 'ref',
    attribution: s.attribution ?? 'last_click',
    offer: s.offer ?? {},
    emailConnectorId: s.emailConnectorId ?? null,
    invitesPerMemberPerDay: s.invitesPerMemberPerDay ?? 20,
  };
}

/** A program's enrolment settings with defaults: nobody is enrolled by events until `on` names a type. */
export function enrolmentSettingsOf(program: { enrolment: EnrolmentSettings | null }) {
  const e = program.enrolment ?? {};
  return { on: e.on ?? [], sendWelcome: e.sendWelcome ?? true, reminderAfter: e.reminderAfter ?? null };
}
