import { describe, expect, it } from 'vitest'
import { resolveHistoryPath } from '@main/history/history-path'

describe('resolveHistoryPath', () => {
  it('uses $RAMPART_HOME on every platform when it is set', () => {
    expect(resolveHistoryPath({ RAMPART_HOME: '/srv/rampart' }, 'linux', '/home/ops')).toBe('/srv/rampart/history.db')
    expect(resolveHistoryPath({ RAMPART_HOME: 'D:\\rampart', APPDATA: 'C:\\x' }, 'win32', 'C:\\Users\\ops')).toBe(
      'D:\\rampart\\history.db'
    )
  })

  it('uses $XDG_CONFIG_HOME/Rampart on Linux when set', () => {
    expect(resolveHistoryPath({ XDG_CONFIG_HOME: '/home/ops/cfg' }, 'linux', '/home/ops')).toBe(
      '/home/ops/cfg/Rampart/history.db'
    )
  })

  it('falls back to ~/.config/Rampart on Linux', () => {
    expect(resolveHistoryPath({}, 'linux', '/home/ops')).toBe('/home/ops/.config/Rampart/history.db')
  })

  it('treats empty variables as unset', () => {
    expect(resolveHistoryPath({ RAMPART_HOME: '', XDG_CONFIG_HOME: '' }, 'linux', '/home/ops')).toBe(
      '/home/ops/.config/Rampart/history.db'
    )
  })

  it('uses ~/Library/Application Support/Rampart on macOS', () => {
    expect(resolveHistoryPath({ XDG_CONFIG_HOME: '/ignored' }, 'darwin', '/Users/ops')).toBe(
      '/Users/ops/Library/Application Support/Rampart/history.db'
    )
  })

  it('uses %APPDATA%\\Rampart on Windows, or the roaming folder under the home when APPDATA is unset', () => {
    expect(resolveHistoryPath({ APPDATA: 'C:\\Users\\ops\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ops')).toBe(
      'C:\\Users\\ops\\AppData\\Roaming\\Rampart\\history.db'
    )
    expect(resolveHistoryPath({}, 'win32', 'C:\\Users\\ops')).toBe(
      'C:\\Users\\ops\\AppData\\Roaming\\Rampart\\history.db'
    )
  })
})
