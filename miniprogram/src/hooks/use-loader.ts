import { useCallback, useEffect, useRef, useState } from 'react'
import { userMessage } from '@/services/errors'

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
  return { state, setState, reload }
}
