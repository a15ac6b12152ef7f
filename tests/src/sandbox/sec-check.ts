/**
 * A keyword stand-in for WeChat's content-security model (msgSecCheck, §1.6). Deterministic on
 * purpose: tests use the `sandbox-risky` / `sandbox-review` markers to force each outcome.
 */

/** Labels as WeChat reports them: 100 normal, 10001 ad, 20001 politics, 20002 porn, 20003 abuse, 20006 crime, 20008 fraud. */
export type SecLabel = 100 | 10001 | 20001 | 20002 | 20003 | 20006 | 20008 | 21000;
export type SecSuggest = 'pass' | 'review' | 'risky';

export const RISKY_KEYWORDS: ReadonlyArray<{ keyword: string; label: SecLabel }> = [
  { keyword: 'sandbox-risky', label: 21000 },
  { keyword: '赌博', label: 20006 },
  { keyword: '博彩', label: 20006 },
  { keyword: '毒品', label: 20006 },
  { keyword: '代开发票', label: 20006 },
  { keyword: '色情', label: 20002 },
  { keyword: '傻逼', label: 20003 },
];

export const REVIEW_KEYWORDS: ReadonlyArray<{ keyword: string; label: SecLabel }> = [
  { keyword: 'sandbox-review', label: 21000 },
  { keyword: '加微信', label: 10001 },
  { keyword: '刷单', label: 20008 },
];

export type TextCheckDetail = {
  strategy: 'content_model' | 'keyword';
  errcode: 0;
  suggest: SecSuggest;
  label: SecLabel;
  prob?: number;
  level?: number;
  keyword?: string;
};

export type TextCheckResult = { suggest: SecSuggest; label: SecLabel; detail: TextCheckDetail[] };

export function checkText(content: string): TextCheckResult {
  const lower = content.toLowerCase();
  const risky = RISKY_KEYWORDS.find((k) => lower.includes(k.keyword));
  const review = risky ? undefined : REVIEW_KEYWORDS.find((k) => lower.includes(k.keyword));
  const hit = risky ?? review;
  const suggest: SecSuggest = risky ? 'risky' : review ? 'review' : 'pass';
  const label: SecLabel = hit ? hit.label : 100;
  const detail: TextCheckDetail[] = [{ strategy: 'content_model', errcode: 0, suggest, label, prob: hit ? 90 : 0 }];
  if (hit) detail.push({ strategy: 'keyword', errcode: 0, suggest, label, level: risky ? 90 : 60, keyword: hit.keyword });
  return { suggest, label, detail };
}
