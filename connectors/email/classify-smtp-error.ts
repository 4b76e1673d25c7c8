import { ConnectorError } from '../connector.js';

/** Node/OpenSSL codes for a certificate that did not verify (expired, unknown CA, wrong name). */
function isCertificateError(code: unknown): boolean {
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/.test(code);
}

/** nodemailer errors: `code` is its own (ESOCKET, EAUTH…); a socket error's code moves to `originalCode`. */
type SmtpErrorShape = Error & { code?: string; originalCode?: string; responseCode?: number };

/**
 * Maps a nodemailer failure onto a ConnectorError kind using the SMTP reply code
 * (RFC 5321 §4.2.1: 4yz transient, 5yz permanent; RFC 4954: 535 bad credentials).
 * nodemailer's messages quote server replies, never the configured password.
 */
export function classifySmtpError(err: unknown, action: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = (err instanceof Error ? err : new Error(String(err))) as SmtpErrorShape;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const detail = `SMTP ${action} failed`;
  const opts = { status, cause: err };

  // 535 bad credentials, 534 mechanism too weak, 530 authentication required; an EAUTH with a
  // 4xx reply (454 temporary authentication failure) is left to the transient rule below.
  const loginRefused = e.code === 'EAUTH' || e.code === 'ENOAUTH';
  if (status === 535 || status === 534 || status === 530 || (loginRefused && (status === undefined || status >= 500))) {
    return new ConnectorError('auth', `${detail}: the server rejected the login (${e.message})`, opts);
  }
  if (isCertificateError(e.originalCode) || isCertificateError(e.code)) {
    return new ConnectorError(
      'auth',
      `${detail}: the server's TLS certificate was not trusted (${e.message}); for a private CA set caCertificate`,
      opts,
    );
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new ConnectorError('transient', `${detail}: ${e.message}`, opts);
  }
  // 503 "bad sequence of commands" is a session-state problem, not a refusal of the message.
  if (status !== undefined && status >= 500 && status !== 503) {
    return new ConnectorError('permanent', `${detail}: ${e.message}`, opts);
  }
  if (e.code === 'ETLS' || e.code === 'EREQUIRETLS') {
    // Typically requireTls against a server that offers no STARTTLS: retrying will not change that.
    return new ConnectorError('permanent', `${detail}: TLS could not be established (${e.message})`, opts);
  }
  if (e.code === 'EENVELOPE' || e.code === 'ECONFIG') {
    return new ConnectorError('invalid', `${detail}: ${e.message}`, opts);
  }
  // Refused connections, timeouts, dropped sockets (ECONNECTION, ETIMEDOUT, ESOCKET, EDNS).
  return new ConnectorError('transient', `${detail}: ${e.message}`, opts);
}
