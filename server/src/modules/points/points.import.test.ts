import { parseCsv, readImportFile } from './points.import'

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks; CRLF or LF; a BOM; skips blank lines', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\n\n2,"two\nlines",\r\n3,,last'
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', ''],
      ['3', '', 'last'],
    ])
  })
  it('handles a trailing newline and an empty file', () => {
    expect(parseCsv('a,b\n')).toEqual([['a', 'b']])
    expect(parseCsv('')).toEqual([])
  })
})

describe('readImportFile', () => {
  const code = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      return (e as { code: string; details: unknown }).code
    }
    return null
  }
  it('numbers rows from 1 after the header (header matched case-insensitively)', () => {
    expect(readImportFile('User_Id,Amount,Reason,Idempotency_Key\nu,1,r,k\nv,2,,k2')).toEqual([
      { row: 1, cells: ['u', '1', 'r', 'k'] },
      { row: 2, cells: ['v', '2', '', 'k2'] },
    ])
  })
  it('rejects a non-text body, a wrong header, no rows (400) and more than 100,000 rows (413)', () => {
    expect(code(() => readImportFile({}))).toBe('VALIDATION_FAILED')
    expect(code(() => readImportFile('openid,amount,reason,idempotency_key\no,1,,k'))).toBe('VALIDATION_FAILED')
    expect(code(() => readImportFile('user_id,amount,reason,idempotency_key\n'))).toBe('VALIDATION_FAILED')
    expect(code(() => readImportFile('user_id,amount,reason,idempotency_key\n' + 'u,1,,k\n'.repeat(100_000)))).toBeNull()
    expect(code(() => readImportFile('user_id,amount,reason,idempotency_key\n' + 'u,1,,k\n'.repeat(100_001)))).toBe('PAYLOAD_TOO_LARGE')
  })
})
