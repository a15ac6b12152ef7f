/** The merchant-transfer client against the WeChat sandbox (no database): signing, verification, outcomes. */
import { createSandbox, generateMerchantKeys, type Sandbox } from '../../../tests/src/sandbox'
import { isAppError } from '../http/errors'
import { isPayApiError, type PayMerchant } from './pay-client'
import { createTransferClient, type CreateTransferBillInput, type TransferClient } from './transfer-client'

let sandbox: Sandbox
let url: string
let client: TransferClient
let m: PayMerchant
const openid = 'o_transfer_client_test'

beforeAll(async () => {
  sandbox = createSandbox({ retryScale: 0.001 })
  url = await sandbox.listen(0, '127.0.0.1')
  client = createTransferClient({ baseUrl: url })
  const keys = generateMerchantKeys('1900000777')
  const apiV3Key = 'A'.repeat(32)
  sandbox.registerMerchant({ mchid: '1900000777', appids: ['wx_transfer_test'], merchantSerial: keys.serial, merchantPublicKeyPem: keys.certificatePem, apiV3Key })
  const p = sandbox.platform
  m = {
    appid: 'wx_transfer_test',
    mchid: '1900000777',
    serial: keys.serial,
    privateKeyPem: keys.privateKeyPem,
    apiV3Key,
    wechatpayKeys: { [p.publicKeyId]: p.publicKeyPem, [p.certificateSerial]: p.certificatePem },
  }
})
afterAll(() => sandbox.close())

const bill = (outBillNo: string, over: Partial<CreateTransferBillInput> = {}): CreateTransferBillInput => ({
  out_bill_no: outBillNo,
  transfer_scene_id: '1000',
  openid,
  transfer_amount: 100,
  transfer_remark: '红包零钱提现',
  user_recv_perception: '现金奖励',
  transfer_scene_report_infos: [
    { info_type: '活动名称', info_content: '红包活动' },
    { info_type: '奖励说明', info_content: '红包奖励提现到零钱' },
  ],
  ...over,
})

async function failure(p: Promise<unknown>) {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected a failure')
}

it('creates, re-creates idempotently, queries both ways, cancels (a signed body-less POST)', async () => {
  const a = await client.createBill(m, bill('WTC1'))
  expect(a).toMatchObject({ out_bill_no: 'WTC1', state: 'WAIT_USER_CONFIRM', package_info: expect.any(String) })
  expect(await client.createBill(m, bill('WTC1'))).toMatchObject({ transfer_bill_no: a.transfer_bill_no, package_info: a.package_info })
  expect(await client.queryByOutBillNo(m, 'WTC1')).toMatchObject({ state: 'WAIT_USER_CONFIRM', transfer_amount: 100, openid })
  expect(await client.queryByTransferBillNo(m, a.transfer_bill_no)).toMatchObject({ out_bill_no: 'WTC1' })
  expect(await client.cancelBill(m, 'WTC1')).toMatchObject({ out_bill_no: 'WTC1', state: 'CANCELING' })
})

it('verified refusals are PayApiError with WeChat code; an unknown bill is 404', async () => {
  const noReport = await failure(client.createBill(m, bill('WTC2', { transfer_scene_report_infos: [] })))
  expect(isPayApiError(noReport) && noReport.status === 400 && noReport.code === 'PARAM_ERROR').toBe(true)
  const scene = await failure(client.createBill(m, bill('WTC3', { transfer_scene_id: '1006' })))
  expect(isPayApiError(scene) && scene.status === 403 && scene.code === 'NO_AUTH').toBe(true)
  const missing = await failure(client.queryByOutBillNo(m, 'WNOPE'))
  expect(isPayApiError(missing) && missing.status === 404).toBe(true)
  const badKey = await failure(client.createBill({ ...m, privateKeyPem: generateMerchantKeys('1900000777').privateKeyPem }, bill('WTC4')))
  expect(isPayApiError(badKey) && badKey.status === 401 && badKey.code === 'SIGN_ERROR').toBe(true)
})

it('an answer it cannot verify, or no answer, is WECHAT_UNAVAILABLE (outcome unknown)', async () => {
  const unverifiable = await failure(client.createBill({ ...m, wechatpayKeys: {} }, bill('WTC5')))
  expect(isAppError(unverifiable) && unverifiable.code === 'WECHAT_UNAVAILABLE').toBe(true)
  // ...although WeChat did create that bill: exactly why the caller must query before deciding
  expect(await client.queryByOutBillNo(m, 'WTC5')).toMatchObject({ state: 'WAIT_USER_CONFIRM' })
  const down = await failure(createTransferClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 }).queryByOutBillNo(m, 'WTC5'))
  expect(isAppError(down) && down.code === 'WECHAT_UNAVAILABLE').toBe(true)
})
