import pino, { type Logger } from 'pino'

export type { Logger }

/** JSON logs. Secrets and WeChat session keys are redacted wherever they appear. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'siyu' },
      redact: {
        paths: [
          'req.headers.authorization',
          '*.session_key',
          '*.sessionKey',
          'sessionKey',
          'session_key',
          '*.secret',
          '*.appSecret',
          '*.apiV3Key',
          '*.privateKeyPem',
          '*.mchPrivateKeyPem',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  )
}
