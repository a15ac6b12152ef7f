import { useCallback, useRef, useState } from 'react'
import { userMessage } from '@/services/errors'

/** A cursor-paged list as the API answers it (`Page<T>`), kept page after page. */
export type PagedList<T> = { items: T[]; nextCursor: string | null }

/** `list` with the next `page` appended. */
export function appendPage<T>(list: PagedList<T>, page: PagedList<T>): PagedList<T> {
  return { items: [...list.items, ...page.items], nextCursor: page.nextCursor }
}

export type MoreState = { loading: boolean; error: string | null }

/**
 * "Load more" for a paged list (reach-bottom, or a tap on the list's footer): one page at a time,
 * `more` for the footer. `loadMore(cursor, fetchAndAppend)` does nothing without a cursor or while
 * a page is loading; a failure is kept in `more.error` (and rethrown for callers that toast it).
 * `resetMore()` clears a stale error when the list is loaded again from its first page.
 */
export function useLoadMore() {
  const [more, setMore] = useState<MoreState>({ loading: false, error: null })
  const busy = useRef(false)
  const loadMore = useCallback(async (cursor: string | null | undefined, fetchAndAppend: (cursor: string) => Promise<void>) => {
    if (!cursor || busy.current) return
    busy.current = true
    setMore({ loading: true, error: null })
    try {
      await fetchAndAppend(cursor)
      setMore({ loading: false, error: null })
    } catch (err) {
      setMore({ loading: false, error: userMessage(err) })
      throw err
    } finally {
      busy.current = false
    }
  }, [])
  const resetMore = useCallback(() => setMore((m) => (m.error ? { ...m, error: null } : m)), [])
  return { more, loadMore, resetMore }
}

/** The footer line of a paged list: the error with a retry hint, loading, more, or the end. */
export function moreText(more: MoreState, nextCursor: string | null, moreLabel = '加载更多'): string {
  return more.error ? `${more.error}，点击重试` : more.loading ? '加载中…' : nextCursor ? moreLabel : '没有更多了'
}
