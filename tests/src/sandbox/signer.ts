/**
 * Which platform key signs a response or callback (§2.3). 'certificate' and 'publicKey' are the
 * two steady states; 'mixed' is the 7-day migration, where a merchant must accept both, so the
 * sandbox alternates deterministically, separately for responses and for notifications (tests
 * can rely on two consecutive callbacks using both keys, whatever API calls happen between).
 */
import crypto from 'node:crypto';
import type { SigningKey } from './crypto';
import type { PlatformKeyMaterial } from './keys';

export type SignMode = 'certificate' | 'publicKey' | 'mixed';

export type PlatformSigner = {
  readonly mode: SignMode;
  /**
   * The key for the next message. `requestedSerial` is a request's Wechatpay-Serial header:
   * during migration WeChat answers with the key the merchant names there (FAQ 4013038589).
   */
  pick(channel: 'response' | 'notification', requestedSerial?: string): SigningKey;
  /** Private key behind a serial, to decrypt sensitive fields encrypted to it (§2.10). */
  privateKeyFor(serial: string): crypto.KeyObject | undefined;
};

export function createPlatformSigner(mode: SignMode, material: PlatformKeyMaterial): PlatformSigner {
  const certificateKey: SigningKey = { serial: material.certificateSerial, privateKey: crypto.createPrivateKey(material.certificatePrivateKeyPem) };
  const publicKeyKey: SigningKey = { serial: material.publicKeyId, privateKey: crypto.createPrivateKey(material.publicKeyPrivateKeyPem) };
  const counters = { response: 0, notification: 0 };
  return {
    mode,
    pick(channel, requestedSerial) {
      if (mode === 'certificate') return certificateKey;
      if (mode === 'publicKey') return publicKeyKey;
      const requested = requestedSerial?.toUpperCase();
      if (requested === publicKeyKey.serial.toUpperCase()) return publicKeyKey;
      if (requested === certificateKey.serial.toUpperCase()) return certificateKey;
      counters[channel] += 1;
      return counters[channel] % 2 === 1 ? publicKeyKey : certificateKey;
    },
    privateKeyFor(serial) {
      const upper = serial.toUpperCase();
      // The certificate key exists only while the merchant still has a platform certificate.
      if (upper === certificateKey.serial.toUpperCase() && mode !== 'publicKey') return certificateKey.privateKey;
      if (upper === publicKeyKey.serial.toUpperCase() && mode !== 'certificate') return publicKeyKey.privateKey;
      return undefined;
    },
  };
}
