/** api.weixin.qq.com: jscode2session, /cgi-bin/token, /cgi-bin/stable_token (§1.1, §1.2). */
import { APPID, OPENID, SECRET, getJson, obj, postJson, startSandbox, type RunningSandbox } from './test-support';

let running: RunningSandbox;
beforeAll(async () => {
  running = await startSandbox();
  running.sandbox.registerApp({ appid: APPID, secret: SECRET });
  running.sandbox.registerApp({ appid: 'wxother0000000001', secret: 'other-secret' });
});
afterAll(() => running.sandbox.close());
afterEach(() => running.sandbox.setClockOffset(0));

const session = (params: Record<string, string>) => getJson(`${running.url}/sns/jscode2session?${new URLSearchParams(params).toString()}`);
const loginParams = (jsCode: string) => ({ appid: APPID, secret: SECRET, js_code: jsCode, grant_type: 'authorization_code' });

describe('GET /sns/jscode2session', () => {
  it('exchanges a code for openid + a base64 16-byte session_key, labelled text/plain like WeChat', async () => {
    const code = running.sandbox.mintLoginCode(APPID, OPENID);
    const res = await session(loginParams(code));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = obj(res.json);
    expect(body['openid']).toBe(OPENID);
    expect(Buffer.from(String(body['session_key']), 'base64')).toHaveLength(16);
    expect(body).not.toHaveProperty('unionid');
    expect(body).not.toHaveProperty('errcode');
  });

  it('returns unionid when the user has one', async () => {
    const code = running.sandbox.mintLoginCode(APPID, OPENID, 'oUnion000000000000000000001');
    expect(obj((await session(loginParams(code))).json)['unionid']).toBe('oUnion000000000000000000001');
  });

  it('40163 when a code is used twice', async () => {
    const code = running.sandbox.mintLoginCode(APPID, OPENID);
    await session(loginParams(code));
    const res = obj((await session(loginParams(code))).json);
    expect(res['errcode']).toBe(40163);
    expect(res['errmsg']).toMatch(/ rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
  });

  it('40029 for an unknown code, a code of another app, and a code older than 5 minutes', async () => {
    expect(obj((await session(loginParams('made-up-code'))).json)['errcode']).toBe(40029);
    const otherAppCode = running.sandbox.mintLoginCode('wxother0000000001', OPENID);
    expect(obj((await session(loginParams(otherAppCode))).json)['errcode']).toBe(40029);
    const code = running.sandbox.mintLoginCode(APPID, OPENID);
    running.sandbox.setClockOffset(301);
    expect(obj((await session(loginParams(code))).json)['errcode']).toBe(40029);
  });

  it('a code just under 5 minutes old still works', async () => {
    const code = running.sandbox.mintLoginCode(APPID, OPENID);
    running.sandbox.setClockOffset(295);
    expect(obj((await session(loginParams(code))).json)['openid']).toBe(OPENID);
  });

  it('40013 unknown appid, 40125 wrong secret', async () => {
    const code = running.sandbox.mintLoginCode(APPID, OPENID);
    expect(obj((await session({ ...loginParams(code), appid: 'wxunknown' })).json)['errcode']).toBe(40013);
    expect(obj((await session({ ...loginParams(code), secret: 'wrong' })).json)['errcode']).toBe(40125);
    // The failed attempts did not consume the code.
    expect(obj((await session(loginParams(code))).json)['openid']).toBe(OPENID);
  });

  it('41002 / 41004 / 41008 for a missing appid / secret / js_code; 40002 for a bad grant_type', async () => {
    const { appid: _a, ...noAppid } = loginParams('x');
    const { secret: _s, ...noSecret } = loginParams('x');
    const { js_code: _c, ...noCode } = loginParams('x');
    expect(obj((await session(noAppid)).json)['errcode']).toBe(41002);
    expect(obj((await session(noSecret)).json)['errcode']).toBe(41004);
    expect(obj((await session(noCode)).json)['errcode']).toBe(41008);
    expect(obj((await session({ ...loginParams('x'), grant_type: 'client_credential' })).json)['errcode']).toBe(40002);
  });

  it('405 when called with POST (WeChat wants the query string)', async () => {
    const res = await postJson(`${running.url}/sns/jscode2session`, {});
    expect(res.status).toBe(405);
  });
});

const classicToken = (params: Record<string, string> = {}) =>
  getJson(`${running.url}/cgi-bin/token?${new URLSearchParams({ grant_type: 'client_credential', appid: APPID, secret: SECRET, ...params }).toString()}`);
const stableToken = (body: Record<string, unknown> = {}) =>
  postJson(`${running.url}/cgi-bin/stable_token`, { grant_type: 'client_credential', appid: APPID, secret: SECRET, ...body });
/** Any token-protected API, to probe whether a token is accepted. */
const probe = async (token: string) =>
  obj((await postJson(`${running.url}/wxa/msg_sec_check?access_token=${encodeURIComponent(token)}`, { content: 'hi', version: 1 })).json)['errcode'];

describe('GET /cgi-bin/token', () => {
  it('issues a 7200 s token accepted by the APIs', async () => {
    const body = obj((await classicToken()).json);
    expect(body['expires_in']).toBe(7200);
    expect(String(body['access_token']).length).toBeGreaterThan(100);
    expect(await probe(String(body['access_token']))).toBe(0);
  });

  it('a new token replaces the old one, which keeps working for 5 minutes only', async () => {
    const first = String(obj((await classicToken()).json)['access_token']);
    const second = String(obj((await classicToken()).json)['access_token']);
    expect(second).not.toBe(first);
    expect(await probe(first)).toBe(0);
    running.sandbox.setClockOffset(299);
    expect(await probe(first)).toBe(0);
    running.sandbox.setClockOffset(301);
    expect(await probe(first)).toBe(40001);
    expect(await probe(second)).toBe(0);
  });

  it('expires after 7200 s with 42001', async () => {
    const token = String(obj((await classicToken()).json)['access_token']);
    running.sandbox.setClockOffset(7199);
    expect(await probe(token)).toBe(0);
    running.sandbox.setClockOffset(7200);
    expect(await probe(token)).toBe(42001);
  });

  it('40013 unknown appid, 40125 wrong secret, 40002 bad grant_type, 41002/41004 missing', async () => {
    expect(obj((await classicToken({ appid: 'wxnope' })).json)['errcode']).toBe(40013);
    expect(obj((await classicToken({ secret: 'nope' })).json)['errcode']).toBe(40125);
    expect(obj((await classicToken({ grant_type: 'authorization_code' })).json)['errcode']).toBe(40002);
    expect(obj((await classicToken({ appid: '' })).json)['errcode']).toBe(41002);
    expect(obj((await classicToken({ secret: '' })).json)['errcode']).toBe(41004);
  });
});

describe('POST /cgi-bin/stable_token', () => {
  let app = 0;
  /** Each test gets its own app: stable tokens are per app and force_refresh is rate limited. */
  const freshApp = (): string => {
    app += 1;
    const appid = `wxstable${String(app).padStart(10, '0')}`;
    running.sandbox.registerApp({ appid, secret: SECRET });
    return appid;
  };

  it('returns the same token on repeated calls, with a shrinking expires_in', async () => {
    const appid = freshApp();
    const first = obj((await stableToken({ appid })).json);
    expect(first['expires_in']).toBe(7200);
    running.sandbox.setClockOffset(1000);
    const second = obj((await stableToken({ appid })).json);
    expect(second['access_token']).toBe(first['access_token']);
    expect(second['expires_in']).toBe(6200);
  });

  it('renews when less than 5 minutes are left; the old token still runs to its own expiry', async () => {
    const appid = freshApp();
    const first = String(obj((await stableToken({ appid })).json)['access_token']);
    running.sandbox.setClockOffset(6950);
    const second = obj((await stableToken({ appid })).json);
    expect(second['access_token']).not.toBe(first);
    expect(second['expires_in']).toBe(7200);
    expect(await probe(first)).toBe(0);
    running.sandbox.setClockOffset(7200);
    expect(await probe(first)).toBe(42001);
    expect(await probe(String(second['access_token']))).toBe(0);
  });

  it('force_refresh replaces the token at once; a second force within 30 s is refused with 45009', async () => {
    const appid = freshApp();
    const first = String(obj((await stableToken({ appid })).json)['access_token']);
    const forced = obj((await stableToken({ appid, force_refresh: true })).json);
    expect(forced['access_token']).not.toBe(first);
    expect(await probe(first)).toBe(40001);
    expect(await probe(String(forced['access_token']))).toBe(0);
    expect(obj((await stableToken({ appid, force_refresh: true })).json)['errcode']).toBe(45009);
    running.sandbox.setClockOffset(31);
    expect(obj((await stableToken({ appid, force_refresh: true })).json)['access_token']).toEqual(expect.any(String));
  });

  it('is isolated from /cgi-bin/token: neither invalidates the other', async () => {
    const appid = freshApp();
    const stable = String(obj((await stableToken({ appid })).json)['access_token']);
    const classic = String(obj((await classicToken({ appid })).json)['access_token']);
    await classicToken({ appid });
    running.sandbox.setClockOffset(400);
    expect(await probe(stable)).toBe(0);
    expect(await probe(classic)).toBe(40001);
    expect(obj((await stableToken({ appid })).json)['access_token']).toBe(stable);
  });

  it('40013 / 40125 / 40002 / 41002 / 41004, and 47001 for a non-JSON body or a non-boolean force_refresh', async () => {
    expect(obj((await stableToken({ appid: 'wxnope' })).json)['errcode']).toBe(40013);
    expect(obj((await stableToken({ secret: 'nope' })).json)['errcode']).toBe(40125);
    expect(obj((await stableToken({ grant_type: 'x' })).json)['errcode']).toBe(40002);
    expect(obj((await stableToken({ appid: undefined })).json)['errcode']).toBe(41002);
    expect(obj((await stableToken({ secret: undefined })).json)['errcode']).toBe(41004);
    expect(obj((await stableToken({ force_refresh: 'yes' })).json)['errcode']).toBe(47001);
    const form = await postJson(`${running.url}/cgi-bin/stable_token`, `grant_type=client_credential&appid=${APPID}&secret=${SECRET}`, {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(obj(form.json)['errcode']).toBe(47001);
  });
});
