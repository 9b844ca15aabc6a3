import { contextBridge, ipcRenderer } from 'electron'
import { IPC_CHANNELS, type RampartBridge, type ServerMessage } from '@shared/contract/bridge'
import { createContractClient } from '@shared/contract/contract-client'

/**
 * The only door between the renderer and main: `invoke` and `subscribe`, nothing else.
 * Sandboxed, so this file may require only 'electron'; the contract client and the channel
 * name come from src/shared, which the bundler inlines.
 */

const client = createContractClient({ send: (message) => ipcRenderer.send(IPC_CHANNELS.message, message) })

ipcRenderer.on(IPC_CHANNELS.message, (_event, message: ServerMessage) => client.receive(message))

// A fresh object of exactly two functions: the client's receive and failAll stay in the preload.
const bridge: RampartBridge = { invoke: client.invoke, subscribe: client.subscribe }

contextBridge.exposeInMainWorld('rampart', bridge)
