/** Sign-in: POST /session with the account's address and password; the cookie does the rest. */
import { api } from '../api.js';
import { describeError } from '../common.js';
import { h, statusLine, textField } from '../dom.js';

export function renderLogin(main: HTMLElement, onSignedIn: () => void): void {
  const user = textField('Account', { name: 'user', autocomplete: 'username', required: true, placeholder: 'postmaster@example.com' });
  const password = textField('Password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const status = statusLine();
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Portcullis Web Admin'),
    h('p', { class: 'hint' }, 'Sign in with an account that holds administrator access rights.'),
    user.row,
    password.row,
    h('button', { type: 'submit' }, 'Sign in'),
    status.el,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    status.clear();
    api
      .login(user.input.value.trim(), password.input.value)
      .then(() => {
        password.input.value = '';
        onSignedIn();
      })
      .catch((err: unknown) => {
        password.input.value = '';
        status.fail(`Sign-in refused: ${describeError(err)}`);
      });
  });
  main.replaceChildren(h('div', { class: 'login-wrap' }, form));
  user.input.focus();
}
