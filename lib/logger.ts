import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs with secrets redacted by path, so an accidental `log.info({ req })` or a connector
 * config in an error never prints credentials.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          'headers.authorization',
          '*.headers.authorization',
          'secrets',
          '*.secrets',
          'password',
          '*.password',
          'apiKey',
          '*.apiKey',
          'token',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
