import type { ScheduledJob } from './modules/jobs/jobs.service'

/** Every scheduled job of the server. Each domain module exports its jobs; add them here. */
export const SCHEDULED_JOBS: ScheduledJob[] = []
