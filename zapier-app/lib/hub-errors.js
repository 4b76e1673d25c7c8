'use strict';

// The hub answers `{"error": {"code", "message", "details"}}`; Zapier users should read that
// message, not the raw ResponseError JSON the platform would otherwise show.
const describeDetails = (details) => {
  if (!Array.isArray(details)) return '';
  const parts = details.filter((d) => d && typeof d.message === 'string').map((d) => (d.path ? `${d.path}: ${d.message}` : d.message));
  return parts.length ? ` (${parts.join('; ')})` : '';
};

/** Throws a readable z.errors.Error for any 4xx/5xx hub answer; returns the response otherwise. */
const throwForHubError = (z, response) => {
  if (response.status < 400) return response;
  const body = response.data && typeof response.data === 'object' ? response.data.error || {} : {};
  const message = typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;

  if (response.status === 401) {
    // Custom auth has no refresh step (RefreshAuthError only applies to session/OAuth2), so a
    // plain AuthenticationError is what makes Zapier ask the user to fix the connection.
    throw new z.errors.Error(
      "Referral Hub rejected the API key (401). Check that the key is copied completely and has not been revoked, and that the Hub URL is your hub's address.",
      'AuthenticationError',
      401,
    );
  }
  if (response.status === 403) {
    throw new z.errors.Error(
      `This API key is not allowed to do that: ${message}. Connect a key with the needed scope (write for members and hooks, track for conversions and events) for this program.`,
      'Forbidden',
      403,
    );
  }
  throw new z.errors.Error(
    `Referral Hub answered ${response.status}: ${message}${describeDetails(body.details)}`,
    body.code || 'HubError',
    response.status,
  );
};

/**
 * afterResponse middleware. It runs before the platform's own throwForStatus, so our message
 * wins; requests that set `skipThrowForStatus` handle the status themselves.
 * (429 never gets here: the platform turns it into a ThrottledError honouring Retry-After.)
 */
const handleHubErrors = (response, z) => (response.skipThrowForStatus ? response : throwForHubError(z, response));

module.exports = { throwForHubError, handleHubErrors };
