import type { RampartBridge } from '@shared/bridge'

declare global {
  interface Window {
    /** Present in the Electron app (set by the preload); absent in browser mode. */
    rampart?: RampartBridge
  }
}

export {}
