/** Every table, for drizzle's typed client and for drizzle-kit. Each module owns its *.schema.ts. */
export * from '../modules/tenancy/tenancy.schema'
export * from '../modules/members/members.schema'
export * from '../modules/funnel/funnel.schema'
export * from '../modules/jobs/jobs.schema'
