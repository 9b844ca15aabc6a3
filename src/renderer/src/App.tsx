import { ConnectionBadge } from './components/ConnectionBadge'
import { EmergencyPanel } from './components/EmergencyPanel'
import { useFlags } from './hooks/useFlags'
import { FlagsPage } from './pages/FlagsPage'

export function App() {
  const flags = useFlags()
  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <span className="brand-name">Rampart</span>
          <ConnectionBadge />
        </div>
        <EmergencyPanel flags={flags.value} onKilled={flags.reload} />
      </header>
      <main className="app-main">
        <FlagsPage flags={flags} />
      </main>
    </div>
  )
}
