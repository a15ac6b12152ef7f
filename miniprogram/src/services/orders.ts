import type { CreateOrderInput, MembershipPlan, OrderStatus, OrderView, Page, PayOrderOutput } from '@siyu/shared'
import { pollWhile } from '../lib/poll'
import { requestPayment } from '../platform'
import { request } from './request'

export async function listPlans(): Promise<MembershipPlan[]> {
  return (await request<{ items: MembershipPlan[] }>('/api/v1/membership-plans')).items
}

export function listOrders(cursor?: string | null, status?: OrderStatus): Promise<Page<OrderView>> {
  return request<Page<OrderView>>('/api/v1/orders', { data: { cursor: cursor ?? undefined, status } })
}

export function getOrder(id: string): Promise<OrderView> {
  return request<OrderView>(`/api/v1/orders/${encodeURIComponent(id)}`)
}

export function createOrder(input: CreateOrderInput): Promise<OrderView> {
  return request<OrderView>('/api/v1/orders', { method: 'POST', data: input })
}

/**
 * Pays an order: the server prepares the WeChat Pay parameters, the pay sheet opens, then the
 * order is read back. The sheet closing with "ok" is not proof of payment: only the server's
 * state (from WeChat's notification or its order query) is, so we poll it briefly.
 */
export async function payOrder(orderId: string, pollMs = [500, 1000, 1500, 2000, 3000]): Promise<OrderView> {
  const out = await request<PayOrderOutput>(`/api/v1/orders/${encodeURIComponent(orderId)}/pay`, { method: 'POST', data: {} })
  await requestPayment(out.payment)
  return pollWhile(() => getOrder(orderId), (order) => order.status === 'created', pollMs)
}
