import crypto from 'node:crypto';
import { Certificate } from '@fidm/x509';
import { generateMerchantKeys, generatePlatformKeys } from './keys';
import { createSelfSignedCertificate } from './x509';

describe('self-signed X.509 (x509.ts)', () => {
  const merchant = generateMerchantKeys('1900000001');

  it('parses with node:crypto, exposes its serial as uppercase hex and verifies against its own key', () => {
    const cert = new crypto.X509Certificate(merchant.certificatePem);
    expect(cert.serialNumber).toBe(merchant.serial);
    expect(merchant.serial).toMatch(/^[0-9A-F]{40}$/);
    expect(cert.subject).toContain('CN=1900000001');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(crypto.createPrivateKey(merchant.privateKeyPem))).toBe(true);
    expect(cert.ca).toBe(false);
  });

  it('parses with @fidm/x509 (what wechatpay-node-v3 uses to derive serial_no), same serial in lowercase', () => {
    const cert = Certificate.fromPEM(Buffer.from(merchant.certificatePem));
    expect(cert.serialNumber).toBe(merchant.serial.toLowerCase());
    expect(cert.subject.commonName).toBe('1900000001');
    expect(cert.isIssuer(cert)).toBe(true);
    expect(cert.isCA).toBe(false);
    expect(cert.signatureAlgorithm).toBe('sha256WithRsaEncryption');
    // checkSignature() insists the parent be a CA; an end-entity self-signed cert is verified directly.
    expect(cert.publicKey.verify(cert.tbsCertificate.DER, cert.signature, 'sha256')).toBe(true);
  });

  it('signs with the certified key: the certificate public key verifies a merchant signature', () => {
    const signature = crypto.sign('sha256', Buffer.from('hello'), merchant.privateKeyPem);
    expect(crypto.verify('sha256', Buffer.from('hello'), merchant.certificatePem, signature)).toBe(true);
  });

  it('encodes validity with UTCTime before 2050 and GeneralizedTime after', () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    const late = createSelfSignedCertificate({
      privateKey,
      subject: { commonName: 'late' },
      notBefore: new Date('2049-06-01T00:00:00Z'),
      notAfter: new Date('2051-06-01T00:00:00Z'),
    });
    const cert = new crypto.X509Certificate(late.pem);
    expect(new Date(cert.validFrom).toISOString()).toBe('2049-06-01T00:00:00.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2051-06-01T00:00:00.000Z');
  });

  it('platform keys: certificate and public key are distinct RSA keys; the id has the PUB_KEY_ID_ form', () => {
    const platform = generatePlatformKeys();
    const cert = new crypto.X509Certificate(platform.certificatePem);
    expect(cert.serialNumber).toBe(platform.certificateSerial);
    expect(platform.publicKeyId).toMatch(/^PUB_KEY_ID_0114\d{18}$/);
    const certKey = cert.publicKey.export({ type: 'spki', format: 'der' });
    const publicKey = crypto.createPublicKey(platform.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(certKey.equals(publicKey)).toBe(false);
    expect(cert.checkPrivateKey(crypto.createPrivateKey(platform.certificatePrivateKeyPem))).toBe(true);
  });
});
