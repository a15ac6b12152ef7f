// Minimal types for the parts of autocannon the bench uses (the package ships none).
declare module 'autocannon' {
  type Request = {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
    setupRequest?: (req: Request, context: Record<string, unknown>) => Request
  }
  type Histogram = { average: number; total: number; p50: number; p99: number; max: number }
  type Result = { requests: Histogram; latency: Histogram; non2xx: number; errors: number; timeouts: number }
  type Options = { url: string; connections?: number; duration?: number; amount?: number; requests?: Request[] }
  function autocannon(opts: Options): Promise<Result>
  export default autocannon
}
