'use strict';

/** The program picker shared by the actions and the search (fed by the hidden program_list trigger). */
const programField = {
  key: 'programId',
  label: 'Program',
  required: true,
  dynamic: 'program_list.id.name',
  helpText: 'The referral program. Pick one, or map a program ID (prg_…).',
};

/** On triggers: optional, so one Zap can follow every program the API key may see. */
const programFilterField = {
  ...programField,
  required: false,
  helpText: "Only this program's events. Leave empty for every program the API key may see.",
};

module.exports = { programField, programFilterField };
