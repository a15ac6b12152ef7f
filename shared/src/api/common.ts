import { z } from 'zod'

export const CursorQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})
export type CursorQuery = z.infer<typeof CursorQuery>

export type Page<T> = { items: T[]; nextCursor: string | null }
