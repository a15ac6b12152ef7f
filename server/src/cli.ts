import { parseArgs } from 'node:util'
import { loadConfig } from './config'
import { createLogger } from './logger'
import { openDatabase } from './runtime'
import * as tenancy from './modules/tenancy/tenancy.service'
import { isAppError } from './http/errors'

const USAGE = `Usage: npm run siyu -- merchant create --name NAME --appid APPID [--secret APPSECRET] [--timezone Asia/Shanghai]

Creates a merchant with its mini-program app and prints {merchantId, appid, adminKey} as JSON.
The admin key is shown only once. Uses DATABASE_URL, or the embedded database under SIYU_DATA_DIR.`

/** Operator CLI. */
async function main(argv: string[]) {
  const [group, command, ...rest] = argv
  if (group !== 'merchant' || command !== 'create') {
    console.error(USAGE)
    return 2
  }
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, appid: { type: 'string' }, secret: { type: 'string' }, timezone: { type: 'string' } },
    strict: true,
  })
  if (!values.name || !values.appid) {
    console.error(USAGE)
    return 2
  }
  const config = loadConfig()
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn')
  const database = await openDatabase(config, logger)
  try {
    const r = await tenancy.createMerchant(database.db, {
      name: values.name,
      appid: values.appid,
      appSecret: values.secret ?? '',
      timezone: values.timezone,
    })
    process.stdout.write(`${JSON.stringify(r)}\n`)
    return 0
  } catch (e) {
    if (isAppError(e)) {
      console.error(JSON.stringify({ error: { code: e.code, message: e.message, details: e.details } }))
      return 1
    }
    throw e
  } finally {
    await database.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e)
    process.exit(1)
  },
)
