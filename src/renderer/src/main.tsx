import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from '@renderer/app/App'
// One sheet per part of the page, in cascade order: base first.
import './styles/base.css'
import './styles/header.css'
import './styles/flags.css'
import './styles/rollout.css'
import './styles/guards.css'
import './styles/history.css'
import './styles/logs.css'
import './styles/review.css'
import './styles/database.css'

const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root element')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>
)
