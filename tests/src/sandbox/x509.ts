/**
 * Minimal ASN.1 DER encoder for self-signed X.509 v3 certificates.
 *
 * node:crypto can parse certificates (X509Certificate) but cannot create them, and the
 * sandbox must not pull in a certificate library, so we encode the few DER types a
 * certificate needs and sign the TBSCertificate with crypto.sign. Everything here follows
 * RFC 5280 §4.1; the output is checked against crypto.X509Certificate in x509.test.ts.
 */
import crypto from 'node:crypto';

const OID = {
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
const boolean = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
const octetString = (content: Buffer): Buffer => tlv(0x04, content);
const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const printableString = (text: string): Buffer => tlv(0x13, Buffer.from(text, 'ascii'));
/** Context-specific, constructed, explicit tag [n]. */
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 + n, content);

/** A BIT STRING whose content is whole bytes (0 unused bits). */
function bitString(content: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
}

/** DER INTEGER from big-endian unsigned bytes: strip leading zeros, re-add one if the sign bit is set. */
function integer(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start += 1;
  let body = unsigned.subarray(start);
  if (body.length === 0) body = Buffer.from([0]);
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(0x02, body);
}

function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes: number[] = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift((n & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-11-05T12:34:56.789Z
  const digits = iso.slice(0, 19).replace(/[-:T]/g, ''); // 20261105123456
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

export type DistinguishedName = {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  locality?: string;
  /** Two-letter ISO code; DER requires PrintableString here. */
  country?: string;
};

function name(dn: DistinguishedName): Buffer {
  const rdn = (oid: string, value: Buffer): Buffer => set(sequence(objectIdentifier(oid), value));
  const parts: Buffer[] = [];
  if (dn.country) parts.push(rdn(OID.countryName, printableString(dn.country)));
  if (dn.locality) parts.push(rdn(OID.localityName, utf8String(dn.locality)));
  if (dn.organization) parts.push(rdn(OID.organizationName, utf8String(dn.organization)));
  if (dn.organizationalUnit) parts.push(rdn(OID.organizationalUnitName, utf8String(dn.organizationalUnit)));
  parts.push(rdn(OID.commonName, utf8String(dn.commonName)));
  return sequence(...parts);
}

function extensions(): Buffer {
  // basicConstraints CA:FALSE (critical) and keyUsage digitalSignature|nonRepudiation|keyEncipherment,
  // the usages of a signing/encryption end-entity certificate like WeChat's apiclient_cert.pem.
  const basicConstraints = sequence(objectIdentifier(OID.basicConstraints), boolean(true), octetString(sequence()));
  const keyUsage = sequence(
    objectIdentifier(OID.keyUsage),
    boolean(true),
    octetString(bitString(Buffer.from([0b11100000]), 5)),
  );
  return explicit(3, sequence(basicConstraints, keyUsage));
}

/**
 * A random 20-byte serial rendered as 40 uppercase hex digits. The first byte is kept in
 * 0x10..0x7f so DER needs no sign padding and no digit is dropped, which makes the string
 * identical to what X509Certificate.serialNumber and openssl print.
 */
export function randomSerialHex(): string {
  const bytes = crypto.randomBytes(20);
  bytes[0] = 0x10 + ((bytes[0] ?? 0) % 0x70);
  return bytes.toString('hex').toUpperCase();
}

export type SelfSignedCertificateInput = {
  privateKey: crypto.KeyObject;
  subject: DistinguishedName;
  serialHex?: string;
  notBefore?: Date;
  notAfter?: Date;
};

export type SelfSignedCertificate = { pem: string; der: Buffer; serialHex: string; notBefore: Date; notAfter: Date };

/** Issue a self-signed RSA certificate (sha256WithRSAEncryption) for the given key. */
export function createSelfSignedCertificate(input: SelfSignedCertificateInput): SelfSignedCertificate {
  const serialHex = (input.serialHex ?? randomSerialHex()).toUpperCase();
  // Whole seconds: X.509 times carry no fraction, and callers compare these dates.
  const notBefore = new Date(Math.floor((input.notBefore ?? new Date(Date.now() - 60_000)).getTime() / 1000) * 1000);
  const notAfter = new Date(
    Math.floor((input.notAfter ?? new Date(notBefore.getTime() + 5 * 365 * 86_400_000)).getTime() / 1000) * 1000,
  );
  const publicKeyDer = crypto.createPublicKey(input.privateKey).export({ type: 'spki', format: 'der' });
  const signatureAlgorithm = sequence(objectIdentifier(OID.sha256WithRSAEncryption), nullValue());
  const subject = name(input.subject);
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // version v3
    integer(Buffer.from(serialHex, 'hex')),
    signatureAlgorithm,
    subject, // issuer == subject: self-signed
    sequence(time(notBefore), time(notAfter)),
    subject,
    publicKeyDer,
    extensions(),
  );
  const signature = crypto.sign('sha256', tbs, input.privateKey);
  const der = sequence(tbs, signatureAlgorithm, bitString(signature));
  const base64Lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  const pem = `-----BEGIN CERTIFICATE-----\n${base64Lines.join('\n')}\n-----END CERTIFICATE-----\n`;
  return { pem, der, serialHex, notBefore, notAfter };
}
