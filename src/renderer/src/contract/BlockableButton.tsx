import type { ButtonHTMLAttributes } from 'react'

interface BlockableButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'disabled'> {
  /** Blocked: announced as unavailable (aria-disabled) and does nothing, but stays focusable. */
  blocked: boolean
}

/**
 * A button that is never natively disabled: a disabled button drops the focus it holds to <body>
 * and cannot be reached with Tab, so neither its reasons (aria-describedby) nor the next step
 * are. Blocked, it says so to assistive technology and ignores clicks and implicit submits.
 */
export function BlockableButton({ blocked, onClick, type = 'button', ...rest }: BlockableButtonProps) {
  return (
    <button
      {...rest}
      type={type}
      aria-disabled={blocked ? true : undefined}
      onClick={(event) => {
        if (blocked) {
          event.preventDefault()
          return
        }
        onClick?.(event)
      }}
    />
  )
}
