import { generate } from 'selfsigned';

export interface TestCertificate {
  /** PEM private key for the server. */
  key: string;
  /** PEM certificate; self-signed, so it is also the CA a client must trust. */
  cert: string;
}

/**
 * A fresh self-signed certificate for 127.0.0.1/localhost. Every call makes a new key pair,
 * so a second call gives a "wrong CA" that does not validate the first server.
 */
export async function generateTestCertificate(commonName = 'localhost'): Promise<TestCertificate> {
  // EC keys keep generation in the milliseconds; the SAN entries let Node's hostname check
  // pass when clients connect to 127.0.0.1 with certificate checks on.
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
