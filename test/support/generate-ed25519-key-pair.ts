import ssh2 from 'ssh2';

const { utils } = ssh2;

/**
 * An ed25519 key pair in OpenSSH format that ssh2 can read back. ssh2's generator strips leading
 * zero bytes from the public key, so about one pair in 256 comes out malformed (mscdex/ssh2#1513):
 * such a pair is thrown away and another one made.
 */
type KeyOptions = Parameters<typeof utils.generateKeyPairSync<'ed25519'>>[1];

export function generateEd25519KeyPair(options: KeyOptions = {}): { private: string; public: string } {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519', options);
    if (
      !(utils.parseKey(pair.public) instanceof Error) &&
      !(utils.parseKey(pair.private, options && 'passphrase' in options ? options.passphrase : undefined) instanceof Error)
    )
      return pair;
  }
  throw new Error('could not generate a readable ed25519 key pair');
}
