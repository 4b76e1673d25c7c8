import { ConnectorError } from '../connector.js';

/** What the connector saw on the SSH connection itself, beyond the error ssh2-sftp-client rethrew. */
export interface SftpFailureContext {
  /** The host key's SHA-256 (base64) when it did not match the pin. */
  rejectedHostKey?: string;
  /** The raw ssh2 error: ssh2-sftp-client rewraps connect errors and drops their `level`. */
  sshError?: Error & { level?: string; code?: unknown };
  /** What the connector was doing, for the message. */
  action: string;
}

// SFTP v3 status codes (draft-ietf-secsh-filexfer-02 §7), as ssh2 puts them on err.code.
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
const BAD_MESSAGE = 5;
const OP_UNSUPPORTED = 8;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * Maps anything thrown while talking SFTP onto a ConnectorError kind. Messages come from
 * ssh2 and the server (paths, reasons) and never from the configured secrets.
 */
export function classifySftpError(err: unknown, ctx: SftpFailureContext): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = (err instanceof Error ? err : new Error(String(err))) as Error & { code?: unknown };
  const level = ctx.sshError?.level;
  const code = e.code ?? ctx.sshError?.code;
  const detail = `SFTP ${ctx.action} failed`;

  if (ctx.rejectedHostKey !== undefined) {
    return new ConnectorError(
      'auth',
      `${detail}: the server's host key (SHA256:${ctx.rejectedHostKey}) does not match hostKeySha256; ` +
        'if the server key was rotated on purpose, update the pin',
      { cause: err },
    );
  }
  if (level === 'client-authentication' || /authentication methods failed/i.test(e.message)) {
    return new ConnectorError('auth', `${detail}: the server rejected the username or credentials`, { cause: err });
  }
  if (/Cannot parse privateKey/i.test(e.message)) {
    // ssh2 throws these before connecting; its message may quote the key format, never the key.
    return new ConnectorError('invalid', `${detail}: the private key could not be read (wrong format or passphrase)`, {
      cause: err,
    });
  }
  if (
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    level === 'client-timeout' ||
    level === 'client-socket' ||
    level === 'client-dns' ||
    /timed out/i.test(e.message)
  ) {
    return new ConnectorError('transient', `${detail}: ${e.message}`, { cause: err });
  }
  if (code === NO_SUCH_FILE || code === 'ENOENT' || code === 'ENOTDIR') {
    return new ConnectorError('permanent', `${detail}: no such file or directory (${e.message})`, { cause: err });
  }
  if (code === PERMISSION_DENIED || code === 'EACCES') {
    return new ConnectorError('permanent', `${detail}: permission denied (${e.message})`, { cause: err });
  }
  if (code === BAD_MESSAGE || code === OP_UNSUPPORTED) {
    return new ConnectorError('permanent', `${detail}: the server does not support this operation (${e.message})`, {
      cause: err,
    });
  }
  // FAILURE (4), lost connections and unexpected end/close events: a later attempt may succeed.
  return new ConnectorError('transient', `${detail}: ${e.message}`, { cause: err });
}
