'use strict';

const { hubUrl } = require('./hub-url');
const { throwForHubError } = require('./hub-errors');
const { programFilterField } = require('./program-field');

/** The Zap's program, when it picked one. */
const programOf = (bundle) => (bundle.inputData && bundle.inputData.programId) || undefined;

/**
 * One Zapier item from one hub event envelope `{id, type, timestamp, data}`. `id` is the
 * envelope's event id, because Zapier dedupes on `id` and one referral can change status many
 * times; the object's own id moves to `idField` (memberId, referralId, rewardId, payoutId).
 */
const toItem = (envelope, idField) => {
  const { id: objectId, ...fields } = envelope.data || {};
  return { id: envelope.id, eventType: envelope.type, eventTimestamp: envelope.timestamp, [idField]: objectId, ...fields };
};

const COMMON_OUTPUT_FIELDS = [
  { key: 'id', label: 'Event ID' },
  { key: 'eventType', label: 'Event Type' },
  { key: 'eventTimestamp', label: 'Event Time', type: 'datetime' },
];

/**
 * A REST hook trigger for one hub event type: subscribe with the Zap's target URL,
 * unsubscribe by the hook id the hub returned, turn each delivered envelope into one item, and
 * list recent real events for the Zap editor's test step.
 */
const hookTrigger = ({ key, noun, label, description, event, idField, sampleData, outputFields }) => ({
  key,
  noun,
  display: { label, description },
  operation: {
    type: 'hook',
    inputFields: [programFilterField],

    performSubscribe: async (z, bundle) => {
      const response = await z.request({
        method: 'POST',
        url: hubUrl(z, bundle, '/api/v1/hooks'),
        body: { event, targetUrl: bundle.targetUrl, programId: programOf(bundle) },
      });
      return response.data; // {id, event, targetUrl}: Zapier keeps it as bundle.subscribeData
    },

    performUnsubscribe: async (z, bundle) => {
      const id = bundle.subscribeData && bundle.subscribeData.id;
      if (!id) throw new z.errors.Error('This Zap has no hook id to unsubscribe.', 'MissingHookId', 400);
      const response = await z.request({
        method: 'DELETE',
        url: hubUrl(z, bundle, `/api/v1/hooks/${encodeURIComponent(id)}`),
        skipThrowForStatus: true,
      });
      // Already gone (the hub drops a hook whose target answered 410, or an admin removed it):
      // turning the Zap off must still succeed.
      if (response.status === 404) return { id, removed: false };
      throwForHubError(z, response);
      return { id, removed: true };
    },

    perform: (z, bundle) => {
      const envelope = bundle.cleanedRequest || {};
      // A target URL only ever receives its own event type; anything else is not ours to report.
      if (envelope.type !== event || !envelope.data) return [];
      return [toItem(envelope, idField)];
    },

    performList: async (z, bundle) => {
      const programId = programOf(bundle);
      const response = await z.request({
        url: hubUrl(z, bundle, `/api/v1/hooks/samples/${event}`),
        params: programId ? { programId } : {},
      });
      return (Array.isArray(response.data) ? response.data : []).map((envelope) => toItem(envelope, idField));
    },

    sample: toItem({ id: 'evt_01J9Z8Q4N6V2K7M3', type: event, timestamp: '2025-01-15T10:30:00.000Z', data: sampleData }, idField),
    outputFields: [...COMMON_OUTPUT_FIELDS, ...outputFields],
  },
});

module.exports = { hookTrigger, toItem };
