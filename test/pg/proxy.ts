/**
 * A TCP proxy between the instances and the server that the test controls: it can cut a
 * connection at the moment a chosen statement passes, either before the statement reaches the
 * server (never executed) or after (executed and committed, but the reply is lost).
 */
import * as net from 'node:net'

/**
 * before: never reaches the server; after: committed, the reply lost; late: the client sees the
 * connection die at once, the statement reaches the server 300 ms later (after the client has
 * recovered) and runs then.
 */
export type Cut = 'before' | 'after' | 'late'

export interface Proxy {
  port: number
  /** When the last `late` statement was passed on to the server (ms). */
  lateSentAt: number
  /** Cuts the next connection that sends `marker`; resolves when it is cut. */
  cutOn(marker: string, how: Cut): Promise<void>
  close(): Promise<void>
}

export async function startProxy(target: { host: string; port: number }): Promise<Proxy> {
  let armed: { marker: string; how: Cut; done: () => void } | null = null
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host)
    sockets.add(client).add(upstream)
    const cut = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('close', () => (sockets.delete(client), upstream.destroy()))
    upstream.on('close', () => (sockets.delete(upstream), client.destroy()))
    client.on('error', cut)
    upstream.on('error', cut)
    client.on('data', (d: Buffer) => {
      const a = armed
      if (a && d.includes(a.marker)) {
        armed = null
        if (a.how === 'before') {
          cut()
          a.done()
          return
        }
        if (a.how === 'late') {
          upstream.removeAllListeners('close')
          client.removeAllListeners('close')
          client.destroy()
          setTimeout(() => {
            proxy.lateSentAt = Date.now()
            upstream.write(d, () => setTimeout(() => (upstream.destroy(), a.done()), 300))
          }, 300)
          return
        }
        // Let the server run and commit it, then lose the reply.
        upstream.pause()
        upstream.write(d, () => setTimeout(() => (cut(), a.done()), 100))
        return
      }
      upstream.write(d)
    })
    upstream.on('data', (d: Buffer) => client.write(d))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as net.AddressInfo).port
  const proxy: Proxy = {
    port,
    lateSentAt: 0,
    cutOn: (marker, how) => new Promise<void>((done) => (armed = { marker, how, done })),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
  return proxy
}
