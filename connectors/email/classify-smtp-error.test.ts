import { describe, expect, it } from 'vitest';
import { classifySmtpError } from './classify-smtp-error.js';

type Props = { code: string; responseCode?: number; originalCode?: string };
const smtpError = (props: Props) => Object.assign(new Error('server said no'), props);

describe('classifySmtpError', () => {
  it.each<[Props, string]>([
    [{ code: 'EAUTH', responseCode: 535 }, 'auth'],
    [{ code: 'EAUTH', responseCode: 454 }, 'transient'],
    [{ code: 'EENVELOPE', responseCode: 530 }, 'auth'],
    [{ code: 'EMESSAGE', responseCode: 451 }, 'transient'],
    [{ code: 'EENVELOPE', responseCode: 421 }, 'transient'],
    [{ code: 'EMESSAGE', responseCode: 552 }, 'permanent'],
    [{ code: 'EPROTOCOL', responseCode: 503 }, 'transient'],
    [{ code: 'ESOCKET', originalCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, 'auth'],
    [{ code: 'ESOCKET', originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'auth'],
    [{ code: 'ETLS' }, 'permanent'],
    [{ code: 'EENVELOPE' }, 'invalid'],
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }, 'transient'],
    [{ code: 'ETIMEDOUT' }, 'transient'],
    [{ code: 'ECONNECTION' }, 'transient'],
  ])('%o → %s', (props, kind) => {
    const error = classifySmtpError(smtpError(props), 'test');
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(props.responseCode);
  });
});
