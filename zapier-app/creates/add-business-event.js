'use strict';

const { createInHub } = require('../lib/create-in-hub');
const { programField } = require('../lib/program-field');
const { compact, toNumber, currencyCode } = require('../lib/request-body');

/**
 * POST /api/v1/events: activity after the conversion (purchase, renewal, refund, qualified lead…)
 * that recurring and event-based reward rules act on. The hub answers 202 and rewards follow.
 */
const perform = async (z, bundle) => {
  const input = bundle.inputData;
  const referral = compact({ id: input.referralId, email: input.referralEmail, externalId: input.referralExternalId });
  if (Object.keys(referral).length === 0) {
    throw new z.errors.Error(
      'Give the Referral ID, the Friend Email or the Friend External ID to say which referral this event belongs to.',
      'InvalidData',
      400,
    );
  }
  const body = compact({
    programId: input.programId,
    referral,
    type: input.type ? String(input.type).trim() : undefined,
    amount: toNumber(input.amount),
    currency: currencyCode(input.currency),
    occurredAt: input.occurredAt,
    idempotencyKey: input.idempotencyKey,
  });
  const data = await createInHub(z, bundle, 'event', '/api/v1/events', body);
  return { eventId: data.eventId, programId: body.programId, type: body.type, idempotencyKey: body.idempotencyKey };
};

module.exports = {
  key: 'add_business_event',
  noun: 'Business Event',
  display: {
    label: 'Add Business Event',
    description:
      "Records activity for a referred friend (purchase, subscription renewal, refund, qualified lead…) so the program's reward rules can act on it.",
  },
  operation: {
    inputFields: [
      programField,
      { key: 'referralEmail', label: 'Friend Email', helpText: 'Which referral: give this, the Referral ID or the Friend External ID.' },
      { key: 'referralId', label: 'Referral ID', helpText: 'The referral (ref_…), if you have it.' },
      { key: 'referralExternalId', label: 'Friend External ID' },
      {
        key: 'type',
        label: 'Event Type',
        required: true,
        helpText:
          'Lower-case name that reward rules listen to: purchase, subscription_renewed, subscription_cancelled, refund, or your own (e.g. qualified_lead).',
      },
      { key: 'amount', label: 'Amount', type: 'number', helpText: 'Percent rewards are computed from it.' },
      { key: 'currency', label: 'Currency', helpText: 'ISO 4217 code such as USD.' },
      { key: 'occurredAt', label: 'Occurred At', type: 'datetime', helpText: 'When it happened; defaults to now.' },
      {
        // Required here although the hub makes it optional: two renewals of the same amount would
        // otherwise look identical, and Zapier replays must not count one event twice.
        key: 'idempotencyKey',
        label: 'Unique Event ID',
        required: true,
        helpText:
          'The id of the invoice, payment or order this event comes from. The hub records each id once per program, so retries and replays never double-count.',
      },
    ],
    perform,
    sample: { eventId: 'bev_01J9ZA1B2C3D4E5F', programId: 'prg_01J9Z6W1A4B7C0D3', type: 'subscription_renewed', idempotencyKey: 'inv_1' },
    outputFields: [
      { key: 'eventId', label: 'Business Event ID' },
      { key: 'programId', label: 'Program ID' },
      { key: 'type', label: 'Event Type' },
      { key: 'idempotencyKey', label: 'Unique Event ID' },
    ],
  },
};
