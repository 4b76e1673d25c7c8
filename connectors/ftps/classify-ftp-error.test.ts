import { FTPError } from 'basic-ftp';
import { describe, expect, it } from 'vitest';
import { classifyFtpError } from './classify-ftp-error.js';

const reply = (code: number) => new FTPError({ code, message: `${code} reply text` });
const socketError = (code: string) => Object.assign(new Error(code), { code });

describe('classifyFtpError', () => {
  it.each([
    [reply(530), 'auth', 530],
    [reply(332), 'auth', 332],
    [reply(421), 'transient', 421],
    [reply(425), 'transient', 425],
    [reply(452), 'transient', 452],
    [reply(550), 'permanent', 550],
    [reply(553), 'permanent', 553],
    [reply(502), 'permanent', 502],
    [socketError('DEPTH_ZERO_SELF_SIGNED_CERT'), 'auth', undefined],
    [socketError('CERT_HAS_EXPIRED'), 'auth', undefined],
    [socketError('ECONNREFUSED'), 'transient', undefined],
    [new Error('Timeout (control socket)'), 'transient', undefined],
  ])('%s → %s', (err, kind, status) => {
    const error = classifyFtpError(err, 'test');
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
  });
});
