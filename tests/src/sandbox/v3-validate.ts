/**
 * Field checks for APIv3 request bodies, failing the way WeChat Pay does: 400 PARAM_ERROR with
 * `输入源“/body/<path>”映射到值字段“<label>”<rule>`. Lengths in WeChat's string(n) are UTF-8
 * bytes unless a field is documented in characters, hence both maxBytes and maxChars.
 */
import { PayApiError } from './errors';
import { isRecord } from './http';

type Body = Record<string, unknown>;

export function paramError(path: string, label: string, rule: string, value?: unknown): PayApiError {
  const source = path.startsWith('/') ? path : `/body/${path}`;
  return new PayApiError(400, 'PARAM_ERROR', `输入源“${source}”映射到值字段“${label}”${rule}`, {
    location: source.startsWith('/body') ? 'body' : 'query',
    ...(value === undefined ? {} : { value }),
  });
}

function lookup(body: Body, path: string): unknown {
  let current: unknown = body;
  for (const part of path.split('.')) current = isRecord(current) ? current[part] : undefined;
  return current;
}

export type StringRule = { label: string; maxBytes?: number; maxChars?: number; minLength?: number; pattern?: RegExp };

export function optionalString(body: Body, path: string, rule: StringRule): string | undefined {
  const value = lookup(body, path);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw paramError(path, rule.label, '类型错误，应为字符串', value);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (rule.maxBytes !== undefined && bytes > rule.maxBytes) {
    throw paramError(path, rule.label, `字符串规则校验失败，字节数 ${bytes}，大于最大值 ${rule.maxBytes}`, value);
  }
  const chars = [...value].length;
  if (rule.maxChars !== undefined && chars > rule.maxChars) {
    throw paramError(path, rule.label, `字符串规则校验失败，字符数 ${chars}，大于最大值 ${rule.maxChars}`, value);
  }
  if (rule.minLength !== undefined && chars < rule.minLength) {
    throw paramError(path, rule.label, `字符串规则校验失败，字节数 ${bytes}，小于最小值 ${rule.minLength}`, value);
  }
  if (rule.pattern && !rule.pattern.test(value)) throw paramError(path, rule.label, '字符串规则校验失败，包含不允许的字符', value);
  return value;
}

export function requiredString(body: Body, path: string, rule: StringRule): string {
  const value = optionalString(body, path, rule);
  if (value === undefined || value === '') throw paramError(path, rule.label, '必填性规则校验失败，此字段为必填项');
  return value;
}

export type IntRule = { label: string; min?: number; max?: number };

export function optionalInt(body: Body, path: string, rule: IntRule): number | undefined {
  const value = lookup(body, path);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw paramError(path, rule.label, '类型错误，应为整数', value);
  if (rule.min !== undefined && value < rule.min) throw paramError(path, rule.label, `整数规则校验失败，值 ${value}，小于最小值 ${rule.min}`, value);
  if (rule.max !== undefined && value > rule.max) throw paramError(path, rule.label, `整数规则校验失败，值 ${value}，大于最大值 ${rule.max}`, value);
  return value;
}

export function requiredInt(body: Body, path: string, rule: IntRule): number {
  const value = optionalInt(body, path, rule);
  if (value === undefined) throw paramError(path, rule.label, '必填性规则校验失败，此字段为必填项');
  return value;
}

export function requiredObject(body: Body, path: string, label: string): Body {
  const value = lookup(body, path);
  if (value === undefined || value === null) throw paramError(path, label, '必填性规则校验失败，此字段为必填项');
  if (!isRecord(value)) throw paramError(path, label, '类型错误，应为对象', value);
  return value;
}

/** notify_url: absolute http(s) URL, no query string (§2.4). http is allowed: sandbox merchants run locally. */
export function notifyUrl(body: Body, path: string, required: boolean): string | undefined {
  const value = required
    ? requiredString(body, path, { label: '通知地址', maxBytes: 255 })
    : optionalString(body, path, { label: '通知地址', maxBytes: 255 });
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw paramError(path, '通知地址', '格式错误，应为 URL', value);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw paramError(path, '通知地址', '格式错误，应为 https URL', value);
  if (url.search !== '' || value.includes('?')) throw paramError(path, '通知地址', '格式错误，不能携带查询参数', value);
  return value;
}
