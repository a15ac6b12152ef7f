/**
 * Admin bulk issue of one template to a list of users or a segment: a background job with progress
 * (GET /admin/v1/jobs/:id). Idempotent per (template, user, batchKey): a resubmitted batch issues
 * only what is missing.
 */
import { randomUUID } from 'node:crypto'
import type { BulkIssueCouponsInput } from '@siyu/shared'
import type { Db } from '../../db/client'
import type { Clock } from '../../lib/clock'
import type { Logger } from '../../logger'
import * as jobs from '../jobs/jobs.service'
import * as tagsService from '../tags/tags.service'
import * as tenancyService from '../tenancy/tenancy.service'
import { getTemplateRow, issueCoupon, UNAVAILABLE } from './coupons.service'

const CHUNK = 200

export type BulkIssuePlan = { jobId: string; merchantId: string; templateId: string; batchKey: string; userIds: string[]; unknownUserIds: string[] }

/** Resolves the recipients, creates the job and starts it after the response; returns at once. */
export async function startBulkIssue(deps: { db: Db; clock: Clock; logger: Logger }, merchantId: string, templateId: string, input: BulkIssueCouponsInput) {
  await getTemplateRow(deps.db, merchantId, templateId)
  const batchKey = input.batchKey ?? randomUUID()
  let userIds: string[]
  let unknownUserIds: string[] = []
  if ('userIds' in input) {
    const wanted = [...new Set(input.userIds.map((u) => u.toLowerCase()))]
    userIds = await tagsService.existingUserIds(deps.db, merchantId, wanted)
    const found = new Set(userIds)
    unknownUserIds = wanted.filter((u) => !found.has(u))
  } else {
    userIds = await tagsService.resolveSegment(deps.db, merchantId, input.segment)
  }
  const jobId = await jobs.createBackgroundJob(deps.db, merchantId, 'coupon_bulk_issue', userIds.length + unknownUserIds.length)
  const plan: BulkIssuePlan = { jobId, merchantId, templateId, batchKey, userIds, unknownUserIds }
  jobs.runInBackground(deps.db, deps.logger, jobId, () => runBulkIssue(deps.db, deps.clock, plan))
  return { jobId, batchKey, total: userIds.length + unknownUserIds.length }
}

/** The job body: one transaction per chunk, progress after each. */
export async function runBulkIssue(db: Db, clock: Clock, plan: BulkIssuePlan) {
  const totals = { issued: 0, alreadyIssued: 0, failed: 0 }
  if (plan.unknownUserIds.length) {
    totals.failed += plan.unknownUserIds.length
    await jobs.reportProgress(db, plan.jobId, {
      processed: plan.unknownUserIds.length,
      succeeded: 0,
      failed: plan.unknownUserIds.length,
      errors: plan.unknownUserIds.map((userId) => ({ userId, code: 'USER_NOT_FOUND' })),
    })
  }
  const timezone = await tenancyService.merchantTimezone(db, plan.merchantId)
  for (let i = 0; i < plan.userIds.length; i += CHUNK) {
    const chunk = plan.userIds.slice(i, i + CHUNK)
    const now = clock.now()
    const delta = await db.transaction(async (tx) => {
      const d = { processed: 0, succeeded: 0, failed: 0, errors: [] as unknown[] }
      const template = await getTemplateRow(tx, plan.merchantId, plan.templateId)
      for (const userId of chunk) {
        const r = await issueCoupon(tx, {
          merchantId: plan.merchantId,
          userId,
          templateId: plan.templateId,
          source: { type: 'admin', id: plan.batchKey },
          issueKey: `admin:${plan.templateId}:${plan.batchKey}:${userId}`,
          now,
          timezone,
          template,
        })
        d.processed++
        if (r.ok) {
          d.succeeded++
          if (r.created) totals.issued++
          else totals.alreadyIssued++
        } else {
          d.failed++
          totals.failed++
          d.errors.push({ userId, code: UNAVAILABLE[r.reason] })
        }
      }
      return d
    })
    await jobs.reportProgress(db, plan.jobId, delta)
  }
  return { batchKey: plan.batchKey, ...totals }
}
