'use strict';

const { hubUrl } = require('./hub-url');
const { idempotencyKey } = require('./request-body');

/**
 * The one way the actions create something: POST the body to the hub under an Idempotency-Key
 * taken from that body, so a Zapier rerun of the step replays the first answer.
 */
const createInHub = async (z, bundle, action, path, body) => {
  const response = await z.request({
    method: 'POST',
    url: hubUrl(z, bundle, path),
    headers: { 'Idempotency-Key': idempotencyKey(action, body) },
    body,
  });
  return response.data;
};

module.exports = { createInHub };
