import { describe, expect, it } from 'vitest';
import { classifySftpError } from './classify-sftp-error.js';

const coded = (code: unknown, message = 'sftp said no') => Object.assign(new Error(message), { code });

describe('classifySftpError', () => {
  it.each([
    [coded(2), 'permanent'],
    [coded('ENOENT'), 'permanent'],
    [coded(3), 'permanent'],
    [coded(8), 'permanent'],
    [coded(4), 'transient'],
    [coded(7), 'transient'],
    [coded('ECONNREFUSED'), 'transient'],
    [coded(undefined, 'getConnection: Timed out while waiting for handshake'), 'transient'],
    [coded(undefined, 'getConnection: All configured authentication methods failed'), 'auth'],
    [coded(undefined, 'Cannot parse privateKey: Unsupported key format'), 'invalid'],
  ])('%s → %s', (err, kind) => {
    expect(classifySftpError(err, { action: 'test' }).kind).toBe(kind);
  });

  it('a host key mismatch is auth even though the transport only saw a closed connection', () => {
    const error = classifySftpError(coded('ECONNRESET'), { action: 'test', rejectedHostKey: 'abc' });
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('SHA256:abc');
  });

  it('uses the level of the raw ssh2 error that ssh2-sftp-client dropped', () => {
    const sshError = Object.assign(new Error('x'), { level: 'client-authentication' });
    expect(classifySftpError(new Error('getConnection: x'), { action: 'test', sshError }).kind).toBe('auth');
  });
});
