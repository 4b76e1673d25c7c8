import { FTPError } from 'basic-ftp';
import { ConnectorError } from '../connector.js';

/** Node/OpenSSL codes for a certificate that did not verify (expired, unknown CA, wrong name). */
function isCertificateError(code: unknown): boolean {
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/.test(code);
}

/**
 * Maps anything thrown while talking FTPS onto a ConnectorError kind, using the FTP reply
 * code (RFC 959 §4.2) when the server answered. Messages quote server replies, which never
 * contain the password (basic-ftp also masks PASS in its own messages).
 */
export function classifyFtpError(err: unknown, action: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const detail = `FTPS ${action} failed`;

  if (err instanceof FTPError) {
    const status = err.code;
    // 530 "not logged in"; 331/332 only surface as errors when the server wants more than a password.
    if (status === 530 || status === 331 || status === 332) {
      return new ConnectorError('auth', `${detail}: the server rejected the username or password (${e.message})`, {
        status,
        cause: err,
      });
    }
    if (status >= 400 && status < 500) {
      return new ConnectorError('transient', `${detail}: ${e.message}`, { status, cause: err });
    }
    return new ConnectorError('permanent', `${detail}: ${e.message}`, { status, cause: err });
  }

  const code = (e as NodeJS.ErrnoException).code;
  if (isCertificateError(code)) {
    return new ConnectorError(
      'auth',
      `${detail}: the server's TLS certificate was not trusted (${e.message}); ` + 'for a private CA set caCertificate',
      { cause: err },
    );
  }
  // Refused connections, timeouts, dropped sockets and other local errors: a later attempt may succeed.
  return new ConnectorError('transient', `${detail}: ${e.message}`, { cause: err });
}
