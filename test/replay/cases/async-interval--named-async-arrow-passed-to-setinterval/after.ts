// @ts-nocheck — an excerpt that imports modules which are not here; asyncpat lints it, tsc does not check it.
// Replay case (after the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/xrpscan/hermes
// Commit:     10eea2181f6cd7410c4e175a8c53eb1a90d83690 (fix)
// Path:       src/processors/peersync/index.ts
// Subject:    convert to setTimeout (#23)
// Rule:       async-interval should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      setInterval(pollAllPeers, ms, peerManager) where pollAllPeers is a module-level async arrow that polls every peer in turn; slow polls stack up

import PeerManager from './PeerManager'
import PollService from './PollService'
import logger from '../../logger'
import Peer, { IPeer } from '../../models/Peer'
import xrplclient from '../../services/xrpl'
import ENV from '../../lib/ENV'

const LOGPREFIX = '[peersync]'

const pollAllPeers = async (peerManager: PeerManager): Promise<void> => {
  for await (const peer of Peer
    .find({
      enabled: true,
    })
    .lean()
    ) {
      if (peerManager.connections[peer.node_id]) {
        peerManager.emit('error', new Error(`Connection to peer ${peer.node_id} ${peer.grpc_url} exists`))
      } else {
        peerManager.connections[peer.node_id] = true
        await peerManager.poll(peer)
      }
    }

    // induce callback loop
    setTimeout(pollAllPeers, ENV.PEERSYNC_POLL_INTERVAL_MS, peerManager)
}

const peerSync = async () => {
  const peerManager = new PeerManager()

  peerManager.on('poll', async (peer: IPeer) => {
    const ledgerIndexMax = await xrplclient.getLedgerIndex()
    const ledgerIndexMin = ledgerIndexMax - ENV.PEERSYNC_FETCH_DEPTH
    logger.info(LOGPREFIX, `Polling ${peer.node_id} ${peer.grpc_url} [${ledgerIndexMin}..${ledgerIndexMax}]`)
    const pollService = new PollService(peer, peerManager)
    await pollService.fetch(ledgerIndexMin, ledgerIndexMax)
  })

  peerManager.on('error', (error: any) => {
    logger.error(LOGPREFIX, `${error}`)
  })

  await pollAllPeers(peerManager)
}

const connectPeers = () => {
  xrplclient.on('connected', async () => {
    await peerSync()
  })
}

export default connectPeers
