import type { RampartBridge } from '@shared/contract/bridge'

declare global {
  interface Window {
    /** Present in the Electron app (set by the preload); absent in browser mode. */
    rampart?: RampartBridge
  }
}

export {}
