/**
 * The sandbox's own clock. Tests move it (POST /__sim/clock) to expire codes and tokens, or to
 * put WeChat's signing timestamps out of a merchant's 300-second window, without waiting.
 */
export type Clock = {
  /** Milliseconds since the epoch, as WeChat would see it. */
  now(): number;
  nowSeconds(): number;
  offsetSeconds(): number;
  setOffsetSeconds(offset: number): void;
};

export function createClock(initialOffsetSeconds = 0): Clock {
  let offset = initialOffsetSeconds;
  return {
    now: () => Date.now() + offset * 1000,
    nowSeconds: () => Math.floor((Date.now() + offset * 1000) / 1000),
    offsetSeconds: () => offset,
    setOffsetSeconds: (next) => {
      offset = next;
    },
  };
}

const CST_OFFSET_MS = 8 * 3600 * 1000;

/** RFC 3339 in China Standard Time, seconds precision, as WeChat Pay writes every time: 2025-01-22T15:44:23+08:00. */
export function rfc3339Cst(epochMs: number): string {
  return `${new Date(epochMs + CST_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}

/** yyyyMMddHHmmss in China Standard Time, the date part WeChat embeds in prepay ids and bill numbers. */
export function compactCst(epochMs: number): string {
  return new Date(epochMs + CST_OFFSET_MS).toISOString().slice(0, 19).replace(/[-:T]/g, '');
}

/** Strict RFC 3339 with an explicit offset (WeChat rejects times without one). */
export function parseRfc3339(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
