/**
 * A form at work: its submit buttons disabled and marked busy (a spinner, `aria-busy`) until the
 * gateway answers, so a slow answer is not taken for a lost click and clicked again.
 */
export async function whileBusy<T>(form: HTMLFormElement, work: () => Promise<T>): Promise<T> {
  const buttons = [...form.querySelectorAll<HTMLButtonElement>('button[type="submit"], button:not([type])')];
  form.setAttribute('aria-busy', 'true');
  for (const button of buttons) {
    button.disabled = true;
    button.classList.add('is-busy');
  }
  try {
    return await work();
  } finally {
    form.removeAttribute('aria-busy');
    for (const button of buttons) {
      button.disabled = false;
      button.classList.remove('is-busy');
    }
  }
}
