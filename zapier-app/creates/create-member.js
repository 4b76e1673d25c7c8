'use strict';

const { createInHub } = require('../lib/create-in-hub');
const { programField } = require('../lib/program-field');
const { compact } = require('../lib/request-body');
const samples = require('../lib/samples');

/**
 * POST /api/v1/members. The hub keeps one member per program and email (201 new, 200 existing),
 * so running this for someone already enrolled returns their existing code and link.
 */
const perform = async (z, bundle) => {
  const input = bundle.inputData;
  const body = compact({
    programId: input.programId,
    email: input.email,
    firstName: input.firstName,
    lastName: input.lastName,
    externalId: input.externalId,
    customFields: input.customFields,
  });
  return createInHub(z, bundle, 'member', '/api/v1/members', body);
};

module.exports = {
  key: 'create_member',
  noun: 'Member',
  display: {
    label: 'Create Member',
    description:
      'Enrols an advocate in a referral program and returns their referral code and share link (the existing member if the email is already enrolled).',
  },
  operation: {
    inputFields: [
      programField,
      { key: 'email', label: 'Email', required: true, helpText: "The advocate's email address." },
      { key: 'firstName', label: 'First Name' },
      { key: 'lastName', label: 'Last Name' },
      { key: 'externalId', label: 'External ID', helpText: 'Your own id for this person (CRM or user id).' },
      { key: 'customFields', label: 'Custom Fields', dict: true, helpText: 'Extra attributes stored on the member (up to 50).' },
    ],
    perform,
    sample: samples.member,
    outputFields: [{ key: 'id', label: 'Member ID' }, ...samples.memberOutputFields],
  },
};
