import { Router } from '@koa/router'
export { Router }
export type AppRouter = Router
