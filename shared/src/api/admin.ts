import { z } from 'zod'

export const StaffRole = z.enum(['guide', 'manager'])
export type StaffRole = z.infer<typeof StaffRole>

export const CreateStoreInput = z.strictObject({
  name: z.string().trim().min(1).max(64),
  code: z.string().trim().min(1).max(32).optional(),
  address: z.string().max(256).optional(),
})
export type CreateStoreInput = z.infer<typeof CreateStoreInput>

export const CreateStaffInviteInput = z.strictObject({ storeId: z.uuid(), role: StaffRole })
export type CreateStaffInviteInput = z.infer<typeof CreateStaffInviteInput>

export const JoinStaffInput = z.strictObject({ code: z.string().trim().min(4).max(64) })
export type JoinStaffInput = z.infer<typeof JoinStaffInput>
