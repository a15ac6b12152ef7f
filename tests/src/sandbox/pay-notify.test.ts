/** Notifications (§2.9): envelope, AEAD_AES_256_GCM resource, signatures, retries, probes, lost callbacks. */
import { decryptResource, PROBE_SIGNATURE_PREFIX } from './crypto';
import { DEFAULT_RETRY_SCHEDULE, type DeliveryRecord } from './notifier';
import {
  createOrder,
  getJson,
  obj,
  postJson,
  registerMerchantFixture,
  startReceiver,
  startSandbox,
  v3Request,
  verifiedBy,
  type MerchantFixture,
  type Receiver,
  type RunningSandbox,
} from './test-support';

const receivers: Receiver[] = [];
const sandboxes: RunningSandbox[] = [];
afterAll(async () => {
  await Promise.all([...receivers.map((r) => r.close()), ...sandboxes.map((s) => s.sandbox.close())]);
});

async function setup(options: Parameters<typeof startSandbox>[0], respond?: Parameters<typeof startReceiver>[0]) {
  const running = await startSandbox({ retryScale: 0.001, ...options });
  sandboxes.push(running);
  // A fixed mchid reuses cached keys: each sandbox is fresh, so the merchant never collides.
  const merchant = registerMerchantFixture(running.sandbox, '1900000201');
  const receiver = await startReceiver(respond);
  receivers.push(receiver);
  return { running, merchant, receiver };
}

async function paidWithNotification(running: RunningSandbox, merchant: MerchantFixture, receiver: Receiver) {
  const order = await createOrder(running, merchant, { notify_url: receiver.url, attach: 'member=7' });
  const confirmed = running.sandbox.pay.confirm(order.payParams);
  return { ...order, confirmed };
}

const settled = (id: string) => (d: DeliveryRecord): boolean => d.id === id && (d.state === 'delivered' || d.state === 'failed');

describe('TRANSACTION.SUCCESS', () => {
  it('POSTs the §2.9 envelope, signed, with a resource that decrypts (tag checked) to the queried transaction', async () => {
    const { running, merchant, receiver } = await setup({ signMode: 'publicKey' });
    const { outTradeNo, confirmed } = await paidWithNotification(running, merchant, receiver);
    const delivery = await running.sandbox.deliveries.waitFor(settled(confirmed.notification_id));
    expect(delivery).toMatchObject({ state: 'delivered', attemptCount: 1, lastStatus: 204, eventType: 'TRANSACTION.SUCCESS', reference: outTradeNo });
    const [callback] = receiver.received;
    if (!callback) throw new Error('no callback received');
    expect(callback.headers['content-type']).toBe('application/json');
    expect(callback.headers['wechatpay-serial']).toBe(running.sandbox.platform.publicKeyId);
    expect(callback.headers['wechatpay-signature-type']).toBe('WECHATPAY2-SHA256-RSA2048');
    expect(verifiedBy(running.sandbox, callback.headers, callback.body)).toBe(true);

    const envelope = obj(JSON.parse(callback.body));
    expect(Object.keys(envelope)).toEqual(['id', 'create_time', 'resource_type', 'event_type', 'summary', 'resource']);
    expect(envelope['id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(envelope['create_time']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(envelope).toMatchObject({ resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功' });
    const resource = obj(envelope['resource']);
    expect(resource).toMatchObject({ original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', associated_data: 'transaction' });
    expect(resource['nonce']).toMatch(/^[0-9A-Za-z]{12}$/);
    const sealed = { ciphertext: String(resource['ciphertext']), nonce: String(resource['nonce']), associated_data: 'transaction' };
    const plaintext = JSON.parse(decryptResource(sealed, merchant.apiV3Key)) as unknown;
    const queried = await v3Request(running.url, merchant, 'GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${merchant.mchid}`);
    expect(plaintext).toEqual(queried.json);
    expect(obj(plaintext)).toMatchObject({ trade_state: 'SUCCESS', attach: 'member=7', transaction_id: confirmed.transaction_id });

    // final() authenticates: wrong AAD, wrong key or a flipped ciphertext bit all throw.
    expect(() => decryptResource({ ...sealed, associated_data: 'refund' }, merchant.apiV3Key)).toThrow();
    expect(() => decryptResource(sealed, 'k'.repeat(32))).toThrow();
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => decryptResource({ ...sealed, ciphertext: flipped.toString('base64') }, merchant.apiV3Key)).toThrow();
  });

  it('certificate mode signs callbacks with the platform certificate; mixed mode uses both keys across callbacks', async () => {
    const cert = await setup({ signMode: 'certificate' });
    const one = await paidWithNotification(cert.running, cert.merchant, cert.receiver);
    await cert.running.sandbox.deliveries.waitFor(settled(one.confirmed.notification_id));
    expect(cert.receiver.received[0]?.headers['wechatpay-serial']).toBe(cert.running.sandbox.platform.certificateSerial);

    const mixed = await setup({ signMode: 'mixed' });
    for (let i = 0; i < 4; i += 1) {
      const paid = await paidWithNotification(mixed.running, mixed.merchant, mixed.receiver);
      await mixed.running.sandbox.deliveries.waitFor(settled(paid.confirmed.notification_id));
    }
    const serials = new Set(mixed.receiver.received.map((c) => c.headers['wechatpay-serial']));
    expect(serials).toEqual(new Set([mixed.running.sandbox.platform.certificateSerial, mixed.running.sandbox.platform.publicKeyId]));
    for (const callback of mixed.receiver.received) expect(verifiedBy(mixed.running.sandbox, callback.headers, callback.body)).toBe(true);
  });

  it('signs with the sandbox clock: a moved clock yields timestamps a merchant must reject', async () => {
    const { running, merchant, receiver } = await setup({});
    const order = await createOrder(running, merchant, { notify_url: receiver.url });
    running.sandbox.setClockOffset(-900);
    const confirmed = running.sandbox.pay.confirm(order.payParams);
    await running.sandbox.deliveries.waitFor(settled(confirmed.notification_id));
    const callback = receiver.received[0];
    expect(Number(callback?.headers['wechatpay-timestamp'])).toBeLessThan(Date.now() / 1000 - 890);
  });
});

describe('retries', () => {
  it('retries on non-2xx until a 2xx, keeping the same notification id and body, re-signed each time', async () => {
    const { running, merchant, receiver } = await setup({}, (_c, index) => (index < 2 ? 500 : 200));
    const { confirmed } = await paidWithNotification(running, merchant, receiver);
    const delivery = await running.sandbox.deliveries.waitFor(settled(confirmed.notification_id));
    expect(delivery).toMatchObject({ state: 'delivered', attemptCount: 3, lastStatus: 200 });
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(new Set(receiver.received.map((c) => c.body)).size).toBe(1);
    expect(new Set(receiver.received.map((c) => c.headers['wechatpay-nonce'])).size).toBe(3);
    for (const callback of receiver.received) expect(verifiedBy(running.sandbox, callback.headers, callback.body)).toBe(true);
  });

  it('follows the (scaled) schedule between attempts', async () => {
    const { running, merchant, receiver } = await setup({ retrySchedule: [0.2, 0.4], retryScale: 1 }, () => 503);
    const { confirmed } = await paidWithNotification(running, merchant, receiver);
    const delivery = await running.sandbox.deliveries.waitFor(settled(confirmed.notification_id));
    expect(delivery).toMatchObject({ state: 'failed', attemptCount: 3, lastStatus: 503 });
    const [a, b, c] = receiver.received.map((r) => r.at);
    expect((b ?? 0) - (a ?? 0)).toBeGreaterThanOrEqual(190);
    expect((c ?? 0) - (b ?? 0)).toBeGreaterThanOrEqual(390);
  });

  it('WeChat\'s default schedule has 15 retries (16 attempts) over 24h04m', () => {
    expect(DEFAULT_RETRY_SCHEDULE).toHaveLength(15);
    expect(DEFAULT_RETRY_SCHEDULE.reduce((sum, s) => sum + s, 0)).toBe(24 * 3600 + 4 * 60);
  });

  it('an answer slower than callbackTimeoutMs is a failed attempt', async () => {
    const { running, merchant, receiver } = await setup({ callbackTimeoutMs: 100, retrySchedule: [0.01], retryScale: 1 }, async (_c, index) => {
      if (index === 0) await new Promise((resolve) => setTimeout(resolve, 400));
      return 200;
    });
    const { confirmed } = await paidWithNotification(running, merchant, receiver);
    const delivery = await running.sandbox.deliveries.waitFor(settled(confirmed.notification_id));
    expect(delivery.attempts[0]).toMatchObject({ status: undefined, error: 'no reply within 100 ms' });
    expect(delivery).toMatchObject({ state: 'delivered', attemptCount: 2 });
  });

  it('an unreachable notify_url counts as a failed attempt too', async () => {
    const { running, merchant } = await setup({ retrySchedule: [0.01], retryScale: 1 });
    const order = await createOrder(running, merchant, { notify_url: 'http://127.0.0.1:9/notify' });
    const confirmed = running.sandbox.pay.confirm(order.payParams);
    const delivery = await running.sandbox.deliveries.waitFor(settled(confirmed.notification_id));
    expect(delivery).toMatchObject({ state: 'failed', attemptCount: 2 });
    expect(delivery.attempts[0]?.error).toBeDefined();
  });

  it('POST /__sim/deliveries/flush delivers pending retries now, without waiting for the schedule', async () => {
    let up = false;
    const { running, merchant, receiver } = await setup({ retryScale: 1 }, () => (up ? 200 : 500));
    const { confirmed } = await paidWithNotification(running, merchant, receiver);
    const pending = await running.sandbox.deliveries.waitFor((d) => d.id === confirmed.notification_id && d.state === 'pending' && d.attemptCount === 1);
    expect(pending.nextAttemptAt).toBeGreaterThan(Date.now() + 10_000); // first retry is 15 s away
    up = true;
    const flushed = await postJson(`${running.url}/__sim/deliveries/flush`);
    const record = (obj(flushed.json)['deliveries'] as DeliveryRecord[]).find((d) => d.id === confirmed.notification_id);
    expect(record).toMatchObject({ state: 'delivered', attemptCount: 2, lastStatus: 200 });
  });
});

describe('lost callbacks and the delivery log', () => {
  it('deliver: false logs the notification as suppressed and sends nothing; the order is still SUCCESS', async () => {
    const { running, merchant, receiver } = await setup({});
    const order = await createOrder(running, merchant, { notify_url: receiver.url });
    const res = await postJson(`${running.url}/__sim/pay/confirm`, { ...order.payParams, deliver: false });
    expect(res.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(0);
    const log = obj((await getJson(`${running.url}/__sim/deliveries?reference=${order.outTradeNo}`)).json)['deliveries'];
    expect(log).toEqual([expect.objectContaining({ state: 'suppressed', attemptCount: 0, eventType: 'TRANSACTION.SUCCESS', mchid: merchant.mchid })]);
    const queried = await v3Request(running.url, merchant, 'GET', `/v3/pay/transactions/out-trade-no/${order.outTradeNo}?mchid=${merchant.mchid}`);
    expect(obj(queried.json)['trade_state']).toBe('SUCCESS');
  });

  it('GET /__sim/deliveries filters by event_type and state and shows attempts', async () => {
    const { running, merchant, receiver } = await setup({});
    const { confirmed } = await paidWithNotification(running, merchant, receiver);
    await running.sandbox.deliveries.waitFor(settled(confirmed.notification_id));
    const list = obj((await getJson(`${running.url}/__sim/deliveries?event_type=TRANSACTION.SUCCESS&state=delivered`)).json)['deliveries'] as DeliveryRecord[];
    expect(list).toHaveLength(1);
    expect(list[0]?.attempts[0]).toMatchObject({ probe: false, status: 204 });
    expect(obj((await getJson(`${running.url}/__sim/deliveries?state=failed`)).json)['deliveries']).toEqual([]);
  });
});

describe('probe traffic (WECHATPAY/SIGNTEST/)', () => {
  it('a verifying merchant rejects the probe; the sandbox then delivers properly', async () => {
    const { running, merchant, receiver } = await setup({ probeRate: 1 }, (callback) => (verifiedBy(running.sandbox, callback.headers, callback.body) ? 200 : 401));
    const { confirmed } = await paidWithNotification(running, merchant, receiver);
    const delivery = await running.sandbox.deliveries.waitFor(settled(confirmed.notification_id));
    expect(delivery.attempts.map((a) => [a.probe, a.status])).toEqual([[true, 401], [false, 200]]);
    expect(delivery).toMatchObject({ state: 'delivered', attemptCount: 1, probeAccepted: false });
    expect(receiver.received[0]?.headers['wechatpay-signature']?.startsWith(PROBE_SIGNATURE_PREFIX)).toBe(true);
    expect(receiver.received[1]?.headers['wechatpay-signature']?.startsWith(PROBE_SIGNATURE_PREFIX)).toBe(false);
  });

  it('a merchant that does not verify is caught: probeAccepted', async () => {
    const { running, merchant, receiver } = await setup({ probeRate: 1 }, () => 200);
    const { confirmed } = await paidWithNotification(running, merchant, receiver);
    const delivery = await running.sandbox.deliveries.waitFor(settled(confirmed.notification_id));
    expect(delivery.probeAccepted).toBe(true);
  });
});

describe('REFUND.* notifications', () => {
  it.each(['SUCCESS', 'ABNORMAL', 'CLOSED'] as const)('REFUND.%s to the refund notify_url, associated_data refund', async (status) => {
    const { running, merchant, receiver } = await setup({});
    const order = await createOrder(running, merchant, { notify_url: receiver.url, amount: { total: 800, currency: 'CNY' } });
    running.sandbox.pay.confirm(order.payParams, { deliver: false });
    const refund = obj((await v3Request(running.url, merchant, 'POST', '/v3/refund/domestic/refunds', {
      out_trade_no: order.outTradeNo,
      out_refund_no: `R${order.outTradeNo}`,
      notify_url: receiver.url,
      amount: { refund: 300, total: 800, currency: 'CNY' },
    })).json);
    const settledRefund = running.sandbox.refund.settle({ outRefundNo: String(refund['out_refund_no']), status });
    const delivery = await running.sandbox.deliveries.waitFor(settled(String(settledRefund.notification_id)));
    expect(delivery).toMatchObject({ eventType: `REFUND.${status}`, state: 'delivered' });
    const callback = receiver.received.at(-1);
    if (!callback) throw new Error('no refund callback');
    expect(verifiedBy(running.sandbox, callback.headers, callback.body)).toBe(true);
    const envelope = obj(JSON.parse(callback.body));
    expect(envelope['event_type']).toBe(`REFUND.${status}`);
    const resource = obj(envelope['resource']);
    expect(resource).toMatchObject({ original_type: 'refund', associated_data: 'refund' });
    const plaintext = obj(JSON.parse(decryptResource({ ciphertext: String(resource['ciphertext']), nonce: String(resource['nonce']), associated_data: 'refund' }, merchant.apiV3Key)));
    expect(plaintext).toMatchObject({
      mchid: merchant.mchid,
      out_trade_no: order.outTradeNo,
      out_refund_no: refund['out_refund_no'],
      refund_id: refund['refund_id'],
      refund_status: status,
      amount: { total: 800, refund: 300, payer_total: 800, payer_refund: 300 },
    });
    expect('success_time' in plaintext).toBe(status === 'SUCCESS');
  });
});
