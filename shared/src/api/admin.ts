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

/** GET /admin/v1/staff: filters, both optional. */
export const ListStaffQuery = z.strictObject({ storeId: z.uuid().optional(), active: z.enum(['true', 'false']).optional() })
export type ListStaffQuery = z.infer<typeof ListStaffQuery>

/** PATCH /admin/v1/staff/:id: deactivate (someone who left) or reactivate, move to another store, change role. */
export const UpdateStaffInput = z
  .strictObject({ active: z.boolean().optional(), storeId: z.uuid().optional(), role: StaffRole.optional() })
  .refine((v) => Object.keys(v).length > 0, 'nothing to update')
export type UpdateStaffInput = z.infer<typeof UpdateStaffInput>

/** POST /admin/v1/staff/:id/customers/transfer: a leaving guide's customers go to another (active) staff member. */
export const TransferCustomersInput = z.strictObject({ toStaffId: z.uuid() })
export type TransferCustomersInput = z.infer<typeof TransferCustomersInput>
export type TransferCustomersResult = { moved: number }

export type StaffView = {
  id: string
  userId: string
  /** the user's nickname, if they set one */
  nickname: string | null
  storeId: string
  role: StaffRole
  active: boolean
  createdAt: string
  /** customers of this merchant whose guide is this staff member (users.guide_staff_id) */
  customers: number
}

export const JoinStaffInput = z.strictObject({ code: z.string().trim().min(4).max(64) })
export type JoinStaffInput = z.infer<typeof JoinStaffInput>
