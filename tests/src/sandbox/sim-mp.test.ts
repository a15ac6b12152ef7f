/** /__sim hooks for the mini-program side: the HTTP twins of the in-process helpers. */
import crypto from 'node:crypto';
import { OPENID, getJson, obj, postJson, startSandbox, type RunningSandbox } from './test-support';

let running: RunningSandbox;
beforeAll(async () => {
  running = await startSandbox({ signMode: 'mixed' });
});
afterAll(() => running.sandbox.close());

const APP = { appid: 'wxsimhooks00000001', secret: 'sim-secret' };
const sim = (path: string, body?: unknown) => postJson(`${running.url}/__sim${path}`, body);

describe('/__sim hooks (mini-program)', () => {
  it('POST /apps registers an app; POST /login-code mints a code jscode2session accepts once', async () => {
    expect((await sim('/apps', APP)).status).toBe(201);
    const minted = await sim('/login-code', { appid: APP.appid, openid: OPENID, unionid: 'oUnionSim' });
    expect(minted.status).toBe(200);
    const code = String(obj(minted.json)['code']);
    const query = new URLSearchParams({ ...APP, js_code: code, grant_type: 'authorization_code' }).toString();
    expect(obj((await getJson(`${running.url}/sns/jscode2session?${query}`)).json)).toMatchObject({ openid: OPENID, unionid: 'oUnionSim' });
    expect(obj((await getJson(`${running.url}/sns/jscode2session?${query}`)).json)['errcode']).toBe(40163);
  });

  it('POST /phone-code mints a code getuserphonenumber accepts', async () => {
    await sim('/apps', APP);
    const code = String(obj((await sim('/phone-code', { appid: APP.appid, phoneNumber: '13900001111' })).json)['code']);
    const token = String(obj((await getJson(`${running.url}/cgi-bin/token?grant_type=client_credential&appid=${APP.appid}&secret=${APP.secret}`)).json)['access_token']);
    const res = obj((await postJson(`${running.url}/wxa/business/getuserphonenumber?access_token=${token}`, { code })).json);
    expect(obj(res['phone_info'])['purePhoneNumber']).toBe('13900001111');
  });

  it('POST /subscribe-credit adds credits (cumulative) and GET /messages lists what was sent', async () => {
    await sim('/apps', APP);
    await sim('/subscribe-credit', { appid: APP.appid, openid: OPENID, templateId: 'T1', count: 1 });
    const granted = obj((await sim('/subscribe-credit', { appid: APP.appid, openid: OPENID, templateId: 'T1', count: 2 })).json);
    expect(granted['credits']).toBe(3);
    const token = String(obj((await getJson(`${running.url}/cgi-bin/token?grant_type=client_credential&appid=${APP.appid}&secret=${APP.secret}`)).json)['access_token']);
    await postJson(`${running.url}/cgi-bin/message/subscribe/send?access_token=${token}`, { touser: OPENID, template_id: 'T1', data: { thing1: { value: 'x' } } });
    const listed = obj((await getJson(`${running.url}/__sim/messages?appid=${APP.appid}&touser=${OPENID}`)).json);
    expect(listed['messages']).toEqual([expect.objectContaining({ templateId: 'T1', data: { thing1: { value: 'x' } } })]);
  });

  it('POST /clock moves the sandbox clock (absolute or relative); GET /health reports it', async () => {
    expect(obj((await sim('/clock', { offsetSeconds: 600 })).json)['offsetSeconds']).toBe(600);
    expect(obj((await sim('/clock', { advanceSeconds: -100 })).json)['offsetSeconds']).toBe(500);
    const health = obj((await getJson(`${running.url}/__sim/health`)).json);
    expect(Number(health['now']) - Date.now()).toBeGreaterThan(490_000);
    await sim('/clock', { offsetSeconds: 0 });
  });

  it('GET /keys exposes the platform certificate (serial matches the PEM) and the public key id', async () => {
    const keys = obj((await getJson(`${running.url}/__sim/keys`)).json);
    expect(keys['signMode']).toBe('mixed');
    expect(new crypto.X509Certificate(String(keys['certificatePem'])).serialNumber).toBe(keys['certificateSerial']);
    expect(keys['certificateSerial']).toBe(running.sandbox.platform.certificateSerial);
    expect(keys['publicKeyId']).toBe(running.sandbox.platform.publicKeyId);
    expect(crypto.createPublicKey(String(keys['publicKeyPem'])).asymmetricKeyType).toBe('rsa');
    expect(keys).not.toHaveProperty('certificatePrivateKeyPem');
  });

  it('answers hook mistakes with 4xx {error: {code, message}}', async () => {
    expect(await sim('/login-code', { appid: 'wxnobody', openid: OPENID })).toMatchObject({ status: 404, json: { error: { code: 'UNKNOWN_APP' } } });
    expect(await sim('/login-code', { appid: APP.appid })).toMatchObject({ status: 400, json: { error: { code: 'MISSING_FIELD' } } });
    expect(await sim('/apps', 'nope')).toMatchObject({ status: 400, json: { error: { code: 'BAD_JSON' } } });
    expect(await sim('/phone-code', { appid: APP.appid, phoneNumber: '+44 20 7946 0000' })).toMatchObject({ status: 400 });
    expect(await sim('/subscribe-credit', { appid: APP.appid, openid: OPENID, templateId: 'T', count: 0 })).toMatchObject({ status: 400 });
    expect(await sim('/clock', {})).toMatchObject({ status: 400 });
  });
});
