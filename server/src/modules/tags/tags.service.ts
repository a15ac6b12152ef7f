import type { Db, DbOrTx } from '../../db/client'
import * as membersService from '../members/members.service'
import * as repo from './tags.repo'

export { hasAnyTag, listTags } from './tags.repo'

/** Adds tags to a user of this merchant (USER_NOT_FOUND otherwise); existing tags are kept. */
export async function addTags(db: Db, merchantId: string, userId: string, tags: string[]) {
  await membersService.getUser(db, merchantId, userId)
  await repo.addTags(db, merchantId, userId, [...new Set(tags)])
  return { tags: await repo.listTags(db, merchantId, userId) }
}

export async function removeTag(db: Db, merchantId: string, userId: string, tag: string) {
  await membersService.getUser(db, merchantId, userId)
  await repo.removeTag(db, merchantId, userId, tag)
  return { tags: await repo.listTags(db, merchantId, userId) }
}

export async function tagsOf(db: Db, merchantId: string, userId: string) {
  await membersService.getUser(db, merchantId, userId)
  return { tags: await repo.listTags(db, merchantId, userId) }
}

/** A segment: users at a funnel stage and/or carrying a tag. Either filter may be omitted (not both). */
export async function resolveSegment(db: DbOrTx, merchantId: string, segment: { stage?: string; tag?: string }): Promise<string[]> {
  return repo.segmentUserIds(db, merchantId, segment)
}

/** The ids among `userIds` that are users of this merchant (others' and unknown ids dropped). */
export async function existingUserIds(db: DbOrTx, merchantId: string, userIds: string[]): Promise<string[]> {
  return repo.segmentUserIds(db, merchantId, { userIds })
}
