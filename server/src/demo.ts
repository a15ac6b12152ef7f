import type { Db } from './db/client'
import * as tenancyRepo from './modules/tenancy/tenancy.repo'
import * as tenancy from './modules/tenancy/tenancy.service'
import { DEFAULT_DEMO_ADMIN_KEY, type Config } from './config'
import type { Logger } from './logger'
import { hashAdminKey as hashKey } from './modules/auth/tokens'

export type DemoPayKeys = { privateKeyPem: string; serial: string; apiV3Key: string; mchid: string }

export const DEMO_APP_SECRET = 'demo_app_secret_for_the_wechat_sandbox'
export const DEMO_MCHID = '1900000109'

export type DemoInfo = { merchantId: string; appid: string; appSecret: string; adminKey: string; staffInviteCode: string; created: boolean; storeId: string }

/**
 * Seeds the demo merchant on first start (idempotent afterwards): its mini-program app, a store,
 * an admin key (DEMO_ADMIN_KEY or the documented development default) and an open staff invite.
 */
export async function ensureDemoMerchant(db: Db, config: Config, logger: Logger, pay?: () => DemoPayKeys): Promise<DemoInfo> {
  const adminKey = config.DEMO_ADMIN_KEY ?? DEFAULT_DEMO_ADMIN_KEY
  const appid = config.DEMO_APPID
  let app = await tenancyRepo.findAppByAppid(db, appid)
  let created = false
  if (!app) {
    const keys = pay?.()
    await tenancy.createMerchant(db, {
      name: '思语演示商户',
      appid,
      appSecret: DEMO_APP_SECRET,
      adminKey,
      pay: keys && {
        mchid: keys.mchid,
        mchSerial: keys.serial,
        mchPrivateKeyPem: keys.privateKeyPem,
        apiV3Key: keys.apiV3Key,
        wechatpayKeys: {},
      },
    })
    app = (await tenancyRepo.findAppByAppid(db, appid))!
    await tenancy.createStore(db, app.merchantId, { name: '旗舰店', code: 'FLAGSHIP', address: '上海市静安区南京西路 1 号' })
    created = true
    logger.info({ merchantId: app.merchantId, appid }, 'demo merchant seeded')
  } else {
    // DEMO_ADMIN_KEY may change between starts: make sure the configured key works.
    await tenancyRepo.insertAdminKey(db, { merchantId: app.merchantId, keyHash: hashKey(adminKey), prefix: adminKey.slice(0, 10), label: 'demo' })
  }
  const [store] = await tenancyRepo.listStores(db, app.merchantId)
  const staffInviteCode = await tenancy.ensureOpenInvite(db, app.merchantId, store!.id)
  return { merchantId: app.merchantId, appid, appSecret: app.appSecret, adminKey, staffInviteCode, created, storeId: store!.id }
}
