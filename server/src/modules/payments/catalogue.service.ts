import type { CreateMembershipPlanInput, CreateProductInput, MembershipPlan, Product, UpdateMembershipPlanInput, UpdateProductInput } from '@siyu/shared'
import type { Db } from '../../db/client'
import { AppError, isUniqueViolation } from '../../http/errors'
import * as repo from './payments.repo'

/** Catalogue: simple products and paid-membership plans, priced in fen. Deleting archives (orders keep snapshots). */

export function productView(p: repo.ProductRow): Product {
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    priceFen: p.priceFen,
    active: p.active,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  }
}

export function planView(p: repo.PlanRow): MembershipPlan {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    durationDays: p.durationDays,
    priceFen: p.priceFen,
    active: p.active,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  }
}

export async function createProduct(db: Db, merchantId: string, input: CreateProductInput, now: Date): Promise<Product> {
  try {
    const p = await repo.insertProduct(db, {
      merchantId,
      sku: input.sku,
      name: input.name,
      description: input.description ?? null,
      priceFen: input.priceFen,
      active: input.active ?? true,
      createdAt: now,
      updatedAt: now,
    })
    return productView(p)
  } catch (e) {
    if (isUniqueViolation(e, 'products_merchant_sku_uq')) throw new AppError('SKU_TAKEN', { sku: input.sku })
    throw e
  }
}

export async function listProducts(db: Db, merchantId: string, active?: boolean): Promise<Product[]> {
  return (await repo.listProducts(db, merchantId, active)).map(productView)
}

export async function getProduct(db: Db, merchantId: string, id: string): Promise<Product> {
  const p = await repo.findProduct(db, merchantId, id)
  if (!p) throw new AppError('PRODUCT_NOT_FOUND')
  return productView(p)
}

/** A price change applies to orders created afterwards; existing orders keep the price they were created with. */
export async function updateProduct(db: Db, merchantId: string, id: string, input: UpdateProductInput, now: Date): Promise<Product> {
  const p = await repo.updateProduct(db, merchantId, id, { ...input, updatedAt: now })
  if (!p) throw new AppError('PRODUCT_NOT_FOUND')
  return productView(p)
}

export async function archiveProduct(db: Db, merchantId: string, id: string, now: Date): Promise<void> {
  const p = await repo.updateProduct(db, merchantId, id, { active: false, updatedAt: now })
  if (!p) throw new AppError('PRODUCT_NOT_FOUND')
}

export async function createPlan(db: Db, merchantId: string, input: CreateMembershipPlanInput, now: Date): Promise<MembershipPlan> {
  const p = await repo.insertPlan(db, {
    merchantId,
    name: input.name,
    description: input.description ?? null,
    durationDays: input.durationDays,
    priceFen: input.priceFen,
    active: input.active ?? true,
    createdAt: now,
    updatedAt: now,
  })
  return planView(p)
}

export async function listPlans(db: Db, merchantId: string, active?: boolean): Promise<MembershipPlan[]> {
  return (await repo.listPlans(db, merchantId, active)).map(planView)
}

export async function getPlan(db: Db, merchantId: string, id: string): Promise<MembershipPlan> {
  const p = await repo.findPlan(db, merchantId, id)
  if (!p) throw new AppError('MEMBERSHIP_PLAN_NOT_FOUND')
  return planView(p)
}

export async function updatePlan(db: Db, merchantId: string, id: string, input: UpdateMembershipPlanInput, now: Date): Promise<MembershipPlan> {
  const p = await repo.updatePlan(db, merchantId, id, { ...input, updatedAt: now })
  if (!p) throw new AppError('MEMBERSHIP_PLAN_NOT_FOUND')
  return planView(p)
}

export async function archivePlan(db: Db, merchantId: string, id: string, now: Date): Promise<void> {
  const p = await repo.updatePlan(db, merchantId, id, { active: false, updatedAt: now })
  if (!p) throw new AppError('MEMBERSHIP_PLAN_NOT_FOUND')
}
