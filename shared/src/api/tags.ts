import { z } from 'zod'

/** A user tag: a short label set by the merchant (eligibility, segments). */
export const UserTag = z.string().trim().min(1).max(32)

/** POST /admin/v1/users/:id/tags */
export const UserTagsInput = z.strictObject({ tags: z.array(UserTag).min(1).max(50) })
export type UserTagsInput = z.infer<typeof UserTagsInput>
