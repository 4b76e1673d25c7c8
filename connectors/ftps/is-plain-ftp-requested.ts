/**
 * True when FTPS settings ask for plain FTP (`"protocol": "ftp"`). The settings schema refuses
 * that like any invalid value; the API calls this first so it can answer 422
 * `unsupported_protocol` instead of a generic validation error.
 */
export function isPlainFtpRequested(settings: unknown): boolean {
  if (typeof settings !== 'object' || settings === null) return false;
  const protocol = (settings as { protocol?: unknown }).protocol;
  return typeof protocol === 'string' && protocol.trim().toLowerCase() === 'ftp';
}
