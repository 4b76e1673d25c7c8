'use strict';

/**
 * Every hub is self-hosted at its own address, so each request URL starts from the connection's
 * `hubUrl`. A path prefix is kept (hubs behind a reverse proxy at /referrals work); query and
 * fragment are dropped so a pasted browser URL still works.
 */
const hubUrl = (z, bundle, path) => {
  const raw = String((bundle.authData && bundle.authData.hubUrl) || '').trim();
  let base;
  try {
    base = new URL(raw);
  } catch {
    base = null;
  }
  if (!base || (base.protocol !== 'https:' && base.protocol !== 'http:')) {
    throw new z.errors.Error(
      `"${raw}" is not a valid Hub URL. Use the address of your Referral Hub, for example https://referrals.example.com.`,
      'InvalidHubUrl',
      400,
    );
  }
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`;
};

module.exports = { hubUrl };
