import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { attributionFrom, inviteCodeFrom, normalizeInviteCode, sceneParams, shareOpenOf, shareQuery } from '../src/lib/attribution'

const SHARER = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f'
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

describe('invite code from the launch', () => {
  it('normalizes case and spaces, rejects what the server would', () => {
    expect(normalizeInviteCode('abcd2345')).toBe('ABCD2345')
    expect(normalizeInviteCode(' ABCD 2345 ')).toBe('ABCD2345')
    expect(normalizeInviteCode('ABCD234')).toBeNull() // 7 characters
    expect(normalizeInviteCode('ABCD23450')).toBeNull() // 9 characters
    expect(normalizeInviteCode('ABCD2341')).toBeNull() // 1 is not in the alphabet
    expect(normalizeInviteCode('ABCDO345')).toBeNull() // nor O
    expect(normalizeInviteCode(undefined)).toBeNull()
    expect(normalizeInviteCode('')).toBeNull()
  })

  it('reads the QR scene: decodeURIComponent(query.scene) → i=<code>', () => {
    expect(inviteCodeFrom({ scene: 'i%3DABCD2345' })).toBe('ABCD2345')
    expect(inviteCodeFrom({ scene: 'i=ABCD2345' })).toBe('ABCD2345') // already decoded (H5 URL parsing)
    expect(inviteCodeFrom({ scene: 'i%253DABCD2345' })).toBe('ABCD2345') // encoded twice
    expect(inviteCodeFrom({ scene: 's%3Dstore%26i%3Dwxyz6789' })).toBe('WXYZ6789')
    expect(inviteCodeFrom({ scene: 'u=123&p=9' })).toBeNull()
    expect(inviteCodeFrom({ scene: '%E0%A4%A' })).toBeNull() // malformed escape: ignored, no throw
    expect(inviteCodeFrom({ scene: 'i=' })).toBeNull()
    expect(inviteCodeFrom({})).toBeNull()
  })

  it('prefers the share link’s inviteCode to the scene', () => {
    expect(inviteCodeFrom({ inviteCode: 'ABCD2345', scene: 'i%3DWXYZ6789' })).toBe('ABCD2345')
    expect(inviteCodeFrom({ inviteCode: 'bad', scene: 'i%3DWXYZ6789' })).toBe('WXYZ6789')
  })

  it('scene pairs: first key wins, pairs without a key are skipped', () => {
    expect(sceneParams('i=A&i=B&=x&flag&k=v=w')).toEqual({ i: 'A', k: 'v=w' })
    expect(sceneParams(undefined)).toEqual({})
  })

  it('any valid code survives being put in a scene, encoded once or twice', () => {
    const code = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 8, maxLength: 8 })
    fc.assert(
      fc.property(code, fc.boolean(), (c, twice) => {
        const once = encodeURIComponent(`i=${c}`)
        expect(inviteCodeFrom({ scene: twice ? encodeURIComponent(once) : once })).toBe(c)
      }),
    )
  })
})

describe('attribution', () => {
  it('an invite link: code, sharer, channel invite', () => {
    expect(attributionFrom({ inviteCode: 'abcd2345', sharerId: SHARER.toUpperCase(), channel: 'invite' })).toEqual({ inviteCode: 'ABCD2345', sharerId: SHARER, channel: 'invite' })
  })

  it('a bare QR scan: the code, channel invite by default', () => {
    expect(attributionFrom({ scene: 'i%3DABCD2345' })).toEqual({ inviteCode: 'ABCD2345', channel: 'invite' })
  })

  it('a plain share keeps its old shape; junk is dropped', () => {
    expect(attributionFrom({ sharerId: SHARER })).toEqual({ sharerId: SHARER, channel: 'share' })
    expect(attributionFrom({ sharerId: 'not-a-uuid', channel: 'bad channel!' })).toBeNull()
    expect(attributionFrom({ sharerId: SHARER, channel: 'red_packet', id: 'x' })).toEqual({ sharerId: SHARER, channel: 'red_packet' })
  })

  it('share_open: credits a sharer, never carries the invite code, skips a bare scan', () => {
    expect(shareOpenOf(attributionFrom({ inviteCode: 'ABCD2345', sharerId: SHARER }))).toEqual({ sharerId: SHARER, channel: 'invite' })
    expect(shareOpenOf(attributionFrom({ scene: 'i%3DABCD2345' }))).toBeNull()
    expect(shareOpenOf(attributionFrom({ channel: 'poster' }))).toEqual({ channel: 'poster' })
    expect(shareOpenOf(null)).toBeNull()
  })

  it('share paths round-trip through the launch parser', () => {
    const q = shareQuery({ sharerId: SHARER, inviteCode: 'ABCD2345', channel: 'invite' })
    expect(q).toBe(`sharerId=${SHARER}&inviteCode=ABCD2345&channel=invite`)
    const parsed = Object.fromEntries(new URLSearchParams(q))
    expect(attributionFrom(parsed)).toEqual({ sharerId: SHARER, inviteCode: 'ABCD2345', channel: 'invite' })
    expect(shareQuery({ sharerId: null })).toBe('channel=share')
  })
})
