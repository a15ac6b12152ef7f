import client from 'prom-client'

export type Metrics = {
  registry: client.Registry
  observe(method: string, route: string, status: number, ms: number): void
}

/** Prometheus metrics: default process metrics plus HTTP latency by route. One registry per app. */
export function createMetrics(): Metrics {
  const registry = new client.Registry()
  client.collectDefaultMetrics({ register: registry })
  const duration = new client.Histogram({
    name: 'siyu_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  return {
    registry,
    observe(method, route, status, ms) {
      duration.labels(method, route, String(status)).observe(ms / 1000)
    },
  }
}
