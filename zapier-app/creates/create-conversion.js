'use strict';

const { createInHub } = require('../lib/create-in-hub');
const { programField } = require('../lib/program-field');
const { compact, toNumber, currencyCode } = require('../lib/request-body');
const samples = require('../lib/samples');

/**
 * POST /api/v1/conversions: a referred friend converted, which creates the referral (or returns
 * the program's existing referral for that email) and starts the reward rules.
 */
const perform = async (z, bundle) => {
  const input = bundle.inputData;
  if (!input.referralCode && !input.memberId) {
    throw new z.errors.Error(
      'Give the Referral Code or the Referrer Member ID, so the hub knows who referred this friend.',
      'InvalidData',
      400,
    );
  }
  const body = compact({
    programId: input.programId,
    referralCode: input.referralCode,
    memberId: input.memberId,
    email: input.email,
    firstName: input.firstName,
    lastName: input.lastName,
    phone: input.phone,
    externalId: input.externalId,
    status: input.status,
    amount: toNumber(input.amount),
    currency: currencyCode(input.currency),
    orderId: input.orderId,
    source: input.source || 'zapier',
    customFields: input.customFields,
  });
  return createInHub(z, bundle, 'conversion', '/api/v1/conversions', body);
};

module.exports = {
  key: 'create_conversion',
  noun: 'Conversion',
  display: {
    label: 'Create Conversion',
    description:
      "Records that a referred friend converted (signed up, bought, booked…): creates the referral and runs the program's reward rules.",
  },
  operation: {
    inputFields: [
      programField,
      {
        key: 'referralCode',
        label: 'Referral Code',
        helpText: "The referrer's code (e.g. from the ?ref= parameter). Give this or the Referrer Member ID.",
      },
      { key: 'memberId', label: 'Referrer Member ID', helpText: 'The referring member (mem_…), when you know it instead of the code.' },
      { key: 'email', label: 'Friend Email', required: true },
      { key: 'firstName', label: 'Friend First Name' },
      { key: 'lastName', label: 'Friend Last Name' },
      { key: 'phone', label: 'Friend Phone' },
      {
        key: 'externalId',
        label: 'Friend External ID',
        helpText: 'Your own id for the friend; business events can find the referral by it.',
      },
      {
        key: 'status',
        label: 'Status',
        choices: { pending: 'Pending', qualified: 'Qualified', approved: 'Approved' },
        default: 'pending',
        helpText: 'Pending unless the conversion is already verified.',
      },
      { key: 'amount', label: 'Amount', type: 'number', helpText: 'Order value; percent rewards are computed from it.' },
      { key: 'currency', label: 'Currency', helpText: 'ISO 4217 code such as USD or EUR.' },
      { key: 'orderId', label: 'Order ID' },
      {
        key: 'source',
        label: 'Source',
        default: 'zapier',
        helpText: 'Where the conversion came from (lower-case, e.g. checkout, form, zapier).',
      },
      { key: 'customFields', label: 'Custom Fields', dict: true },
    ],
    perform,
    sample: samples.referral,
    outputFields: [{ key: 'id', label: 'Referral ID' }, ...samples.referralOutputFields],
  },
};
