/** api.weixin.qq.com token-protected APIs: phone number, subscribe send, share code, msg_sec_check (§1.3–§1.6). */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { readPngText } from './qr-image';
import { APPID, OPENID, SECRET, getJson, obj, postJson, startSandbox, type RunningSandbox } from './test-support';

let running: RunningSandbox;
let token: string;
let otherToken: string;

beforeAll(async () => {
  running = await startSandbox();
  running.sandbox.registerApp({ appid: APPID, secret: SECRET });
  running.sandbox.registerApp({ appid: 'wxother0000000001', secret: 'other-secret' });
  running.sandbox.mintLoginCode(APPID, OPENID); // the user has opened the app
  const tokenOf = async (appid: string, secret: string) =>
    String(obj((await getJson(`${running.url}/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`)).json)['access_token']);
  token = await tokenOf(APPID, SECRET);
  otherToken = await tokenOf('wxother0000000001', 'other-secret');
});
afterAll(() => running.sandbox.close());
afterEach(() => running.sandbox.setClockOffset(0));

/** `accessToken: null` sends no token at all. */
const call = (path: string, body: unknown, accessToken: string | null = token) =>
  postJson(`${running.url}${path}${accessToken === null ? '' : `?access_token=${encodeURIComponent(accessToken)}`}`, body);
const errcodeOf = async (path: string, body: unknown, accessToken?: string | null) => obj((await call(path, body, accessToken)).json)['errcode'];

/** Every token-protected route shares these answers. */
describe.each(['/wxa/business/getuserphonenumber', '/cgi-bin/message/subscribe/send', '/wxa/getwxacodeunlimit', '/wxa/msg_sec_check'])(
  'access_token on %s',
  (path) => {
    it('41001 without a token, 40001 with an unknown one, 47001 with a non-JSON body', async () => {
      expect(await errcodeOf(path, {}, null)).toBe(41001);
      expect(await errcodeOf(path, {}, 'not-a-token')).toBe(40001);
      expect(obj((await postJson(`${running.url}${path}?access_token=${token}`, 'not json')).json)['errcode']).toBe(47001);
    });
  },
);

describe('POST /wxa/business/getuserphonenumber', () => {
  const PHONE = '/wxa/business/getuserphonenumber';

  it('returns phone_info with a watermark of the app and the sandbox time', async () => {
    const code = running.sandbox.mintPhoneCode(APPID, '13800138000');
    const res = obj((await call(PHONE, { code })).json);
    expect(res).toMatchObject({ errcode: 0, errmsg: 'ok' });
    const info = obj(res['phone_info']);
    expect(info).toMatchObject({ phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' });
    const watermark = obj(info['watermark']);
    expect(watermark['appid']).toBe(APPID);
    expect(Math.abs(Number(watermark['timestamp']) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('keeps the country code on foreign numbers', async () => {
    const code = running.sandbox.mintPhoneCode(APPID, '+1 415 555 0100', '1');
    const info = obj(obj((await call(PHONE, { code })).json)['phone_info']);
    expect(info).toMatchObject({ phoneNumber: '+14155550100', purePhoneNumber: '4155550100', countryCode: '1' });
  });

  it('40029 for a reused, unknown, expired or other-app code; 41008 without a code', async () => {
    const code = running.sandbox.mintPhoneCode(APPID, '+8613800138000');
    expect(obj((await call(PHONE, { code })).json)['errcode']).toBe(0);
    expect(await errcodeOf(PHONE, { code })).toBe(40029);
    expect(await errcodeOf(PHONE, { code: 'nope' })).toBe(40029);
    const otherAppCode = running.sandbox.mintPhoneCode(APPID, '13800138000');
    expect(await errcodeOf(PHONE, { code: otherAppCode }, otherToken)).toBe(40029);
    const late = running.sandbox.mintPhoneCode(APPID, '13800138000');
    running.sandbox.setClockOffset(301);
    expect(await errcodeOf(PHONE, { code: late })).toBe(40029);
    expect(await errcodeOf(PHONE, {})).toBe(41008);
  });
});

describe('POST /cgi-bin/message/subscribe/send', () => {
  const SEND = '/cgi-bin/message/subscribe/send';
  const message = (over: Record<string, unknown> = {}) => ({
    touser: OPENID,
    template_id: 'TPL_POINTS',
    page: 'pages/points/index?from=msg',
    data: { thing1: { value: '签到奖励' }, number2: { value: '10' }, time3: { value: '2026-11-05 12:00' } },
    ...over,
  });

  it('spends one credit per send; 43101 once credits run out', async () => {
    running.sandbox.grantSubscribeCredit({ appid: APPID, openid: OPENID, templateId: 'TPL_POINTS', count: 2 });
    const first = obj((await call(SEND, message())).json);
    expect(first).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(Number.isSafeInteger(first['msgid'])).toBe(true);
    expect(obj((await call(SEND, message())).json)['errcode']).toBe(0);
    expect(await errcodeOf(SEND, message())).toBe(43101);
    const sent = running.sandbox.sentMessages().filter((m) => m.templateId === 'TPL_POINTS');
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({ appid: APPID, touser: OPENID, page: 'pages/points/index?from=msg', miniprogramState: 'formal', lang: 'zh_CN' });
  });

  it('credits are per (openid, template) and per app', async () => {
    running.sandbox.grantSubscribeCredit({ appid: APPID, openid: OPENID, templateId: 'TPL_A', count: 1 });
    expect(await errcodeOf(SEND, message({ template_id: 'TPL_B' }))).toBe(43101);
    running.sandbox.mintLoginCode('wxother0000000001', OPENID);
    expect(await errcodeOf(SEND, message({ template_id: 'TPL_A' }), otherToken)).toBe(43101);
    expect(await errcodeOf(SEND, message({ template_id: 'TPL_A' }))).toBe(0);
  });

  it('47003 when data is a JSON string, a value is missing, or a thing value exceeds 20 chars; no credit is spent', async () => {
    running.sandbox.grantSubscribeCredit({ appid: APPID, openid: OPENID, templateId: 'TPL_C', count: 1 });
    const base = message({ template_id: 'TPL_C' });
    expect(await errcodeOf(SEND, { ...base, data: JSON.stringify(base.data) })).toBe(47003);
    expect(await errcodeOf(SEND, { ...base, data: { thing1: 'plain' } })).toBe(47003);
    expect(await errcodeOf(SEND, { ...base, data: { thing1: { value: '一二三四五六七八九十一二三四五六七八九十一' } } })).toBe(47003);
    expect(await errcodeOf(SEND, { ...base, miniprogram_state: 'beta' })).toBe(47003);
    expect(await errcodeOf(SEND, base)).toBe(0);
  });

  it('40003 for an empty or unknown openid, 40037 without template_id', async () => {
    expect(await errcodeOf(SEND, message({ touser: '' }))).toBe(40003);
    expect(await errcodeOf(SEND, message({ touser: 'oNeverSeen' }))).toBe(40003);
    expect(await errcodeOf(SEND, message({ template_id: '' }))).toBe(40037);
  });
});

/** Decode our RGBA PNG (filter type 0 rows) to check it is a real image, not just bytes. */
function decodePng(png: Buffer): { width: number; height: number; pixel: (x: number, y: number) => number[] } {
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('ascii');
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  expect(raw).toHaveLength((width * 4 + 1) * height);
  return { width, height, pixel: (x, y) => [...raw.subarray(y * (width * 4 + 1) + 1 + x * 4, y * (width * 4 + 1) + 5 + x * 4)] };
}

describe('POST /wxa/getwxacodeunlimit', () => {
  const QR = '/wxa/getwxacodeunlimit';
  const fetchImage = (body: unknown) =>
    fetch(`${running.url}${QR}?access_token=${token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('returns a real PNG of the requested width that carries the scene and page', async () => {
    const res = await fetchImage({ scene: 'u=123&p=9', page: 'pages/index/index', width: 280 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(readPngText(png)).toEqual({ scene: 'u=123&p=9', page: 'pages/index/index' });
    const image = decodePng(png);
    expect([image.width, image.height]).toEqual([280, 280]);
    expect(image.pixel(0, 0)).toEqual([255, 255, 255, 255]); // quiet zone
    expect(image.pixel(25, 25)).toEqual([0, 0, 0, 255]); // inside the top-left finder's dark ring
  });

  it('different scenes give different images; line_color and is_hyaline are honoured', async () => {
    const a = Buffer.from(await (await fetchImage({ scene: 'a=1' })).arrayBuffer());
    const b = Buffer.from(await (await fetchImage({ scene: 'a=2' })).arrayBuffer());
    expect(crypto.createHash('sha256').update(a).digest('hex')).not.toBe(crypto.createHash('sha256').update(b).digest('hex'));
    const colored = decodePng(Buffer.from(await (await fetchImage({ scene: 'a=1', line_color: { r: 200, g: 10, b: 30 }, is_hyaline: true })).arrayBuffer()));
    expect(colored.pixel(0, 0)[3]).toBe(0);
    expect(colored.pixel(Math.floor((colored.width * 3) / 29), Math.floor((colored.width * 3) / 29))).toEqual([200, 10, 30, 255]);
  });

  it('40169 for a missing scene, one over 32 chars, or one with characters outside the charset (e.g. %)', async () => {
    expect(await errcodeOf(QR, {})).toBe(40169);
    expect(await errcodeOf(QR, { scene: 'x'.repeat(33) })).toBe(40169);
    expect(await errcodeOf(QR, { scene: 'a%20b' })).toBe(40169);
    expect(await errcodeOf(QR, { scene: '中文' })).toBe(40169);
    const ok = await call(QR, { scene: "0-9A-Za-z!#$&'()*+,/:;=?@-._~".slice(0, 32) });
    expect(ok.headers.get('content-type')).toBe('image/png');
  });

  it('41030 for a page with a leading slash or a query, or (with check_path) one not published; 40097 for a bad width', async () => {
    expect(await errcodeOf(QR, { scene: 'a=1', page: '/pages/index/index' })).toBe(41030);
    expect(await errcodeOf(QR, { scene: 'a=1', page: 'pages/index/index?x=1' })).toBe(41030);
    running.sandbox.registerApp({ appid: APPID, secret: SECRET, pages: ['pages/index/index'] });
    expect(await errcodeOf(QR, { scene: 'a=1', page: 'pages/secret/index' })).toBe(41030);
    const unchecked = await call(QR, { scene: 'a=1', page: 'pages/secret/index', check_path: false });
    expect(unchecked.headers.get('content-type')).toBe('image/png');
    expect(await errcodeOf(QR, { scene: 'a=1', width: 100 })).toBe(40097);
    expect(await errcodeOf(QR, { scene: 'a=1', env_version: 'beta' })).toBe(40097);
  });

  it('errors are JSON, not images', async () => {
    const res = await call(QR, { scene: '' });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('POST /wxa/msg_sec_check', () => {
  const CHECK = '/wxa/msg_sec_check';
  const v2 = (content: string, over: Record<string, unknown> = {}) => ({ content, version: 2, scene: 2, openid: OPENID, ...over });

  it('passes ordinary text with label 100', async () => {
    const res = obj((await call(CHECK, v2('今天签到领积分'))).json);
    expect(res).toMatchObject({ errcode: 0, errmsg: 'ok', result: { suggest: 'pass', label: 100 } });
    expect(res['trace_id']).toEqual(expect.any(String));
    expect(res['detail']).toEqual([expect.objectContaining({ strategy: 'content_model', suggest: 'pass' })]);
  });

  it('flags listed keywords as risky (with the keyword in detail) or review', async () => {
    const risky = obj((await call(CHECK, v2('来玩赌博吧'))).json);
    expect(risky['result']).toEqual({ suggest: 'risky', label: 20006 });
    expect(risky['detail']).toContainEqual(expect.objectContaining({ strategy: 'keyword', keyword: '赌博', suggest: 'risky' }));
    expect(obj((await call(CHECK, v2('hello', { nickname: 'sandbox-review' }))).json)['result']).toEqual({ suggest: 'review', label: 21000 });
  });

  it('40129 for a bad scene, 40003 for a missing or unknown openid', async () => {
    expect(await errcodeOf(CHECK, v2('hi', { scene: 9 }))).toBe(40129);
    expect(await errcodeOf(CHECK, v2('hi', { openid: undefined }))).toBe(40003);
    expect(await errcodeOf(CHECK, v2('hi', { openid: 'oStranger' }))).toBe(40003);
    expect(await errcodeOf(CHECK, { version: 2, scene: 2, openid: OPENID })).toBe(47001);
  });

  it('legacy version 1: 87014 for risky content, ok otherwise', async () => {
    expect(await errcodeOf(CHECK, { content: 'sandbox-risky' })).toBe(87014);
    expect(await errcodeOf(CHECK, { content: 'fine' })).toBe(0);
  });
});
