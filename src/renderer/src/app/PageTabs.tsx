const PAGES = ['flags', 'rollout', 'history', 'review', 'database', 'containers', 'logs'] as const
export type PageName = (typeof PAGES)[number]

const TITLES: Record<PageName, string> = {
  flags: 'Flags',
  rollout: 'Rollout',
  history: 'History',
  review: 'Review',
  database: 'Database',
  containers: 'Containers',
  logs: 'Logs'
}

/** The pages, as plain buttons: Tab reaches them, Enter or Space opens one. */
export function PageTabs({ current, onSelect }: { current: PageName; onSelect: (page: PageName) => void }) {
  return (
    <nav className="page-tabs" aria-label="Pages">
      {PAGES.map((page) => (
        <button
          key={page}
          type="button"
          className={page === current ? 'page-tab page-tab-current' : 'page-tab'}
          aria-current={page === current ? 'page' : undefined}
          onClick={() => onSelect(page)}
        >
          {TITLES[page]}
        </button>
      ))}
    </nav>
  )
}
