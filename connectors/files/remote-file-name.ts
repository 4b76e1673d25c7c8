import { ConnectorError } from '../connector.js';

/**
 * Returns the name unchanged when it is a plain file name, so a rendered name can never
 * climb out of (or into a subfolder of) the configured directory. Used by SFTP and FTPS.
 */
export function remoteFileName(name: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0\r\n]/.test(name)) {
    throw new ConnectorError('invalid', `file name "${name.replace(/[\0\r\n]/g, '?')}" is not a plain file name`);
  }
  return name;
}
