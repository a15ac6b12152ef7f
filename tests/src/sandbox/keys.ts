/**
 * Key material: WeChat Pay's platform keys (generated per sandbox) and a helper that mints
 * merchant API credentials the way the merchant portal does (RSA 2048 + certificate).
 */
import crypto from 'node:crypto';
import { createSelfSignedCertificate } from './x509';

export type MerchantKeys = {
  /** PKCS#8 PEM, what apiclient_key.pem holds. */
  privateKeyPem: string;
  /** X.509 PEM, what apiclient_cert.pem holds. */
  certificatePem: string;
  /** Certificate serial, 40 uppercase hex digits; goes in Authorization serial_no. */
  serial: string;
};

function generateRsaKey(): crypto.KeyObject {
  return crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** RSA 2048 merchant API key and a self-signed certificate for it (CN = mchid, like WeChat's). */
export function generateMerchantKeys(mchid: string): MerchantKeys {
  const privateKey = generateRsaKey();
  const certificate = createSelfSignedCertificate({
    privateKey,
    subject: { commonName: mchid, organizationalUnit: 'Siyu Sandbox Merchant', organization: '微信商户系统', locality: 'Shenzhen', country: 'CN' },
  });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: certificate.pem,
    serial: certificate.serialHex,
  };
}

/** What a merchant downloads or configures to verify WeChat Pay's signatures. */
export type PlatformPublicInfo = {
  certificateSerial: string;
  certificatePem: string;
  /** ISO 8601 UTC validity of the platform certificate, as /v3/certificates reports it. */
  certificateNotBefore: string;
  certificateNotAfter: string;
  publicKeyId: string;
  publicKeyPem: string;
};

/** Private halves as well: reusing them keeps a restarted sandbox verifiable with old config. */
export type PlatformKeyMaterial = PlatformPublicInfo & {
  certificatePrivateKeyPem: string;
  publicKeyPrivateKeyPem: string;
};

/**
 * Two independent RSA keys, as at WeChat: one behind the platform certificate (hex serial)
 * and one behind the "WeChat Pay public key" (PUB_KEY_ID_…), so a verifier that picks the
 * wrong key by serial fails here as it would in production.
 */
export function generatePlatformKeys(): PlatformKeyMaterial {
  const certificateKey = generateRsaKey();
  const publicKeyKey = generateRsaKey();
  const certificate = createSelfSignedCertificate({
    privateKey: certificateKey,
    subject: { commonName: 'Tenpay.com sign', organizationalUnit: 'Tenpay.com CA Center', organization: 'Tenpay.com (Siyu Sandbox)', locality: 'Shenzhen', country: 'CN' },
  });
  // Real ids look like PUB_KEY_ID_0114232134912410000000000000 (0114 + digits).
  const publicKeyId = `PUB_KEY_ID_0114${String(crypto.randomInt(10 ** 9)).padStart(9, '0')}${String(crypto.randomInt(10 ** 9)).padStart(9, '0')}`;
  return {
    certificateSerial: certificate.serialHex,
    certificatePem: certificate.pem,
    certificateNotBefore: certificate.notBefore.toISOString(),
    certificateNotAfter: certificate.notAfter.toISOString(),
    publicKeyId,
    publicKeyPem: crypto.createPublicKey(publicKeyKey).export({ type: 'spki', format: 'pem' }).toString(),
    certificatePrivateKeyPem: certificateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPrivateKeyPem: publicKeyKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
