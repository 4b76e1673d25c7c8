'use strict';

const { hubUrl } = require('./lib/hub-url');

/**
 * GET /api/v1/me: any valid key may call it, whatever its scopes. A non-2xx answer throws in
 * the afterResponse middleware (401 → "Referral Hub rejected the API key").
 */
const test = async (z, bundle) => {
  const response = await z.request({ url: hubUrl(z, bundle, '/api/v1/me') });
  if (!response.data || !response.data.apiKey) {
    // A 200 without our shape means the Hub URL points at some other site.
    throw new z.errors.Error(
      'That Hub URL did not answer like a Referral Hub. Check the address (it is the one you open /docs on).',
      'InvalidHubUrl',
      400,
    );
  }
  return response.data;
};

/** "<key name> @ <hub host>": one person may connect several keys and several hubs. */
const connectionLabel = (z, bundle) => {
  const key = bundle.inputData && bundle.inputData.apiKey;
  let host;
  try {
    host = new URL(bundle.authData.hubUrl).host;
  } catch {
    host = '';
  }
  const name = key && key.name ? key.name : 'API key';
  return host ? `${name} @ ${host}` : name;
};

module.exports = {
  type: 'custom',
  fields: [
    {
      key: 'hubUrl',
      label: 'Hub URL',
      required: true,
      type: 'string',
      helpText: 'The address of your Referral Hub, for example `https://referrals.example.com`.',
    },
    {
      key: 'apiKey',
      label: 'API Key',
      required: true,
      type: 'password',
      helpText:
        'A hub API key (`rh_…`) created with `POST /api/v1/api-keys`. Give it the `write` scope; limit it to programs to scope every Zap to them.',
    },
  ],
  test,
  connectionLabel,
};
