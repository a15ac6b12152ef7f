import { useCallback, useEffect, useRef, useState } from 'react'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { userMessage } from '@/services/errors'
import { showError } from '@/utils/ui'

export type Loaded<T> = { status: 'loading' } | { status: 'ready'; data: T } | { status: 'error'; message: string }

type Update<T> = Loaded<T> | ((s: Loaded<T>) => Loaded<T>)

/**
 * Loads a page's data and keeps it in one state; `reload()` again (pull-down, after an action).
 * A reload keeps showing the old data until the new answer arrives. Data loaded for other `deps`
 * (e.g. another tab) is never shown for the new ones: until they load, the state is 'loading'.
 */
export function useLoader<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const key = JSON.stringify(deps)
  const [inner, setInner] = useState<{ key: string; state: Loaded<T> }>({ key, state: { status: 'loading' } })
  const seq = useRef(0)
  const state: Loaded<T> = inner.key === key ? inner.state : { status: 'loading' }

  const setState = useCallback(
    (update: Update<T>) =>
      setInner((cur) => {
        const base: Loaded<T> = cur.key === key ? cur.state : { status: 'loading' }
        return { key, state: typeof update === 'function' ? update(base) : update }
      }),
    [key],
  )

  /** Changes the loaded data in place (after an action, a next page); nothing while not ready. */
  const update = useCallback((fn: (data: T) => T) => setState((s) => (s.status === 'ready' ? { status: 'ready', data: fn(s.data) } : s)), [setState])

  // `deps` are the caller's: they say when `load` changes.
  const reload = useCallback(async () => {
    const mine = ++seq.current
    try {
      const data = await load()
      if (mine === seq.current) setState({ status: 'ready', data })
    } catch (err) {
      console.warn('[siyu] load failed', err)
      if (mine === seq.current) setState((s) => (s.status === 'ready' ? s : { status: 'error', message: userMessage(err) }))
      throw err
    }
  }, [key, setState])

  useEffect(() => {
    reload().catch(() => undefined)
  }, [reload])
  return { state, setState, update, reload }
}

/** Pull-down refresh of a page: reloads, shows a failure as a toast, then closes the spinner. */
export function usePullDownReload(reload: () => Promise<void>): void {
  usePullDownRefresh(() => {
    reload()
      .catch(showError)
      .finally(() => Taro.stopPullDownRefresh())
  })
}

/**
 * Reloads quietly each time the page comes back on screen (from another page, from a share),
 * once it has loaded; the first show is the initial load's. `when` can hold it back (e.g. mid-animation).
 */
export function useReloadOnShow(state: Loaded<unknown>, reload: () => Promise<void>, when = true): void {
  useDidShow(() => {
    if (state.status === 'ready' && when) reload().catch(() => undefined)
  })
}
