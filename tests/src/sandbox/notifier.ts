/**
 * WeChat Pay notifications (§2.9): build the encrypted envelope, sign each attempt, POST it to
 * the merchant's notify_url, treat any 2xx within callbackTimeoutMs as acknowledged, and retry
 * on WeChat's schedule otherwise. Optionally precede attempts with deliberately mis-signed probe
 * traffic (WECHATPAY/SIGNTEST/…), which a correct merchant rejects.
 */
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { rfc3339Cst, type Clock } from './clock';
import { encryptResource, PROBE_SIGNATURE_PREFIX, signWechatpay } from './crypto';
import type { PlatformSigner } from './signer';

/** WeChat's schedule in seconds: 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (24h4m). */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

export type DeliveryAttempt = {
  /** Real wall-clock ms (retries run on real timers, not the sandbox clock). */
  at: number;
  probe: boolean;
  status: number | undefined;
  error: string | undefined;
  durationMs: number;
};

export type DeliveryState = 'pending' | 'delivering' | 'delivered' | 'failed' | 'suppressed';

export type DeliveryRecord = {
  /** The notification id in the envelope; the same across retries, so merchants can deduplicate. */
  id: string;
  eventType: string;
  url: string;
  mchid: string;
  /** out_trade_no, out_refund_no or out_bill_no. */
  reference: string;
  /** Raw envelope exactly as POSTed. */
  body: string;
  /** The decrypted resource, for test assertions. */
  plaintext: Record<string, unknown>;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
  /** Real attempts (probes excluded). */
  attemptCount: number;
  lastStatus: number | undefined;
  nextAttemptAt: number | undefined;
  /** The merchant answered 2xx to a mis-signed probe: it does not verify signatures. */
  probeAccepted: boolean;
};

export type NotificationInput = {
  url: string;
  mchid: string;
  apiV3Key: string;
  reference: string;
  eventType: string;
  summary: string;
  /** resource.original_type and associated_data: 'transaction' | 'refund' | 'mch_payment'. */
  resourceType: string;
  plaintext: Record<string, unknown>;
  /** false: the notification is "lost" (logged as suppressed, never sent). */
  deliver: boolean;
};

export type NotifierOptions = {
  clock: Clock;
  signer: PlatformSigner;
  retrySchedule: readonly number[];
  retryScale: number;
  callbackTimeoutMs: number;
  probeRate: number;
  onWarning: (message: string, data: Record<string, unknown>) => void;
};

export type Notifier = {
  enqueue(input: NotificationInput): DeliveryRecord;
  list(): DeliveryRecord[];
  /** Attempt every pending delivery now (ignoring its timer) and wait for the outcomes. */
  flush(): Promise<void>;
  /** Resolves with the first delivery matching `predicate` (now or after a later attempt). */
  waitFor(predicate: (record: DeliveryRecord) => boolean, timeoutMs?: number): Promise<DeliveryRecord>;
  stop(): void;
};

const snapshot = (record: DeliveryRecord): DeliveryRecord => ({ ...record, attempts: record.attempts.map((a) => ({ ...a })) });

export function createNotifier(options: NotifierOptions): Notifier {
  const records: DeliveryRecord[] = [];
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Map<string, Promise<void>>();
  const aborts = new Set<AbortController>();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let stopped = false;

  async function post(record: DeliveryRecord, probe: boolean): Promise<DeliveryAttempt> {
    const headers = signWechatpay(options.signer.pick('notification'), record.body, options.clock.nowSeconds());
    if (probe) headers['Wechatpay-Signature'] = `${PROBE_SIGNATURE_PREFIX}${crypto.randomBytes(192).toString('base64')}`;
    const controller = new AbortController();
    aborts.add(controller);
    const timer = setTimeout(() => controller.abort(), options.callbackTimeoutMs);
    const started = Date.now();
    try {
      const response = await fetch(record.url, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json', 'User-Agent': 'Mozilla/4.0', Accept: '*/*' },
        body: record.body,
        signal: controller.signal,
      });
      // The reply body is irrelevant to WeChat; drain it so the socket is released.
      await response.arrayBuffer().catch(() => undefined);
      return { at: started, probe, status: response.status, error: undefined, durationMs: Date.now() - started };
    } catch (error) {
      const message = controller.signal.aborted ? `no reply within ${options.callbackTimeoutMs} ms` : String(error);
      return { at: started, probe, status: undefined, error: message, durationMs: Date.now() - started };
    } finally {
      clearTimeout(timer);
      aborts.delete(controller);
    }
  }

  const isAck = (attempt: DeliveryAttempt): boolean => attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300;

  async function attempt(record: DeliveryRecord): Promise<void> {
    record.state = 'delivering';
    record.nextAttemptAt = undefined;
    if (options.probeRate > 0 && Math.random() < options.probeRate) {
      const probe = await post(record, true);
      record.attempts.push(probe);
      if (isAck(probe)) {
        record.probeAccepted = true;
        options.onWarning('merchant acknowledged a mis-signed probe notification: it does not verify signatures', { id: record.id, url: record.url });
      }
      events.emit('change');
      if (stopped) return;
    }
    const real = await post(record, false);
    record.attempts.push(real);
    record.attemptCount += 1;
    record.lastStatus = real.status;
    if (isAck(real)) {
      record.state = 'delivered';
    } else if (record.attemptCount <= options.retrySchedule.length && !stopped) {
      const delayMs = (options.retrySchedule[record.attemptCount - 1] ?? 0) * options.retryScale * 1000;
      record.state = 'pending';
      record.nextAttemptAt = Date.now() + delayMs;
      const timer = setTimeout(() => {
        timers.delete(record.id);
        start(record);
      }, delayMs);
      timer.unref();
      timers.set(record.id, timer);
    } else {
      record.state = stopped ? 'pending' : 'failed';
    }
    events.emit('change');
  }

  function start(record: DeliveryRecord): Promise<void> {
    const running = inFlight.get(record.id);
    if (running) return running;
    const promise = attempt(record).finally(() => inFlight.delete(record.id));
    inFlight.set(record.id, promise);
    return promise;
  }

  return {
    enqueue(input) {
      const now = options.clock.now();
      const envelope = {
        id: crypto.randomUUID(),
        create_time: rfc3339Cst(now),
        resource_type: 'encrypt-resource',
        event_type: input.eventType,
        summary: input.summary,
        resource: {
          original_type: input.resourceType,
          ...encryptResource(JSON.stringify(input.plaintext), input.apiV3Key, input.resourceType),
        },
      };
      const record: DeliveryRecord = {
        id: envelope.id,
        eventType: input.eventType,
        url: input.url,
        mchid: input.mchid,
        reference: input.reference,
        body: JSON.stringify(envelope),
        plaintext: input.plaintext,
        state: input.deliver ? 'pending' : 'suppressed',
        attempts: [],
        attemptCount: 0,
        lastStatus: undefined,
        nextAttemptAt: undefined,
        probeAccepted: false,
      };
      records.push(record);
      events.emit('change');
      if (input.deliver && !stopped) void start(record);
      return snapshot(record);
    },
    list: () => records.map(snapshot),
    async flush() {
      const due = records.filter((r) => r.state === 'pending' && !inFlight.has(r.id));
      for (const record of due) {
        const timer = timers.get(record.id);
        if (timer) clearTimeout(timer);
        timers.delete(record.id);
      }
      await Promise.all([...due.map((r) => start(r)), ...inFlight.values()]);
    },
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = records.find(predicate);
          if (!found) return false;
          cleanup();
          resolve(snapshot(found));
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching delivery within ${timeoutMs} ms; log: ${JSON.stringify(records.map((r) => ({ id: r.id, eventType: r.eventType, reference: r.reference, state: r.state, attempts: r.attemptCount, lastStatus: r.lastStatus })))}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          events.off('change', check);
        };
        if (!check()) events.on('change', check);
      });
    },
    stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      for (const controller of aborts) controller.abort();
    },
  };
}
