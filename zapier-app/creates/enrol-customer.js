'use strict';

const { createInHub } = require('../lib/create-in-hub');
const { programField } = require('../lib/program-field');
const { compact } = require('../lib/request-body');

/**
 * POST /api/v1/customers/events: a customer did something (bought, signed up…). When the
 * program's enrolment settings list that event type and the email is not a member yet, the hub
 * makes them a member and emails their welcome (and later one reminder). Otherwise nothing is
 * created; running it again for the same person never enrols them twice.
 */
const perform = async (z, bundle) => {
  const input = bundle.inputData;
  const body = compact({
    programId: input.programId,
    email: input.email ? String(input.email).trim() : undefined,
    firstName: input.firstName,
    lastName: input.lastName,
    type: input.type ? String(input.type).trim() : undefined,
  });
  const data = await createInHub(z, bundle, 'customer_event', '/api/v1/customers/events', body);
  return { memberId: data.memberId, enrolled: data.enrolled, programId: body.programId, email: body.email, type: body.type };
};

module.exports = {
  key: 'enrol_customer',
  noun: 'Customer',
  display: {
    label: 'Enrol Customer',
    description:
      'Tells the program a customer did something (a purchase, a sign-up…). If the program enrols on that event type, the customer becomes a member and gets a welcome email with their referral link.',
  },
  operation: {
    inputFields: [
      programField,
      { key: 'email', label: 'Email', required: true, helpText: "The customer's email address." },
      { key: 'firstName', label: 'First Name', helpText: 'Used in their welcome email.' },
      { key: 'lastName', label: 'Last Name' },
      {
        key: 'type',
        label: 'Event Type',
        required: true,
        default: 'purchase',
        helpText:
          "Lower-case name of what happened, e.g. purchase or signup. Only the types in the program's enrolment settings (`enrolment.on`) enrol anyone.",
      },
    ],
    perform,
    sample: {
      memberId: 'mem_01J9Z7X2B5C8D1E4',
      enrolled: true,
      programId: 'prg_01J9Z6W1A4B7C0D3',
      email: 'eve@example.com',
      type: 'purchase',
    },
    outputFields: [
      { key: 'memberId', label: 'Member ID' },
      { key: 'enrolled', label: 'Enrolled Now', type: 'boolean' },
      { key: 'programId', label: 'Program ID' },
      { key: 'email', label: 'Email' },
      { key: 'type', label: 'Event Type' },
    ],
  },
};
