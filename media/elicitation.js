// Elicitation webview: a server asks the user for a few values (MCP elicitation/create, form mode). Renders the form
// model the extension sends with the shared renderer (media/schemaForm.js); the server's name and message go into the
// DOM through textContent only. Submit sends the values (the extension validates them again and answers `accept`),
// Decline and Cancel answer without them. Messages: ElicitationToExtension / ElicitationToWebview in
// src/common/elicitation.ts.
// @ts-check
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  const { h, showText, debounce, createRenderer } = /** @type {any} */ (window).McpSchemaForm;
  const { widget, placeErrors } = createRenderer({ onChange: () => scheduleValidate(), emptyText: 'The server asks for no values.' });

  /** @type {any} */ let rootWidget;
  let sent = false;

  const els = {
    form: /** @type {HTMLFormElement} */ (h('form', { class: 'tool-form', novalidate: true })),
    formError: h('div', { class: 'form-error', role: 'alert', hidden: true }),
    formNote: h('div', { class: 'form-note muted', hidden: true }),
    submit: /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary', id: 'submit', text: 'Submit' })),
    decline: /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'secondary', id: 'decline', text: 'Decline' })),
    cancel: /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'secondary', id: 'cancel', text: 'Cancel' })),
  };

  function render(/** @type {any} */ init) {
    app.textContent = '';
    app.removeAttribute('aria-busy');
    const header = h('header', {}, [
      h('h1', { text: 'Input requested' }),
      h('div', { class: 'muted server', text: `Server: ${init.server}` }),
      h('p', { class: 'message', id: 'message', text: init.message }),
    ]);
    rootWidget = widget(init.form, init.initialArgs);
    els.form.textContent = '';
    els.form.append(rootWidget.el, els.formError, els.formNote, h('div', { class: 'actions' }, [els.submit, els.decline, els.cancel]));
    app.append(header, els.form);
    rootWidget.focus();
    scheduleValidate();
  }

  function collect() {
    const r = rootWidget.get();
    return { content: r.value, error: r.error };
  }

  const showFormError = (/** @type {string | undefined} */ message) => showText(els.formError, message);

  const scheduleValidate = debounce(() => {
    const { content, error } = collect();
    showFormError(error);
    els.submit.disabled = sent || !!error;
    if (!error) vscode.postMessage({ type: 'validate', args: content });
  });

  function showErrors(/** @type {{path: string, message: string}[]} */ errors, /** @type {string | undefined} */ note) {
    showText(els.formNote, note);
    showFormError(placeErrors(rootWidget, errors).join('\n') || undefined);
    els.submit.disabled = sent || errors.length > 0;
  }

  function answer(/** @type {'decline' | 'cancel'} */ type) {
    if (sent) return;
    sent = true;
    vscode.postMessage({ type });
  }

  els.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (sent) return;
    const { content, error } = collect();
    if (error) { showFormError(error); return; }
    vscode.postMessage({ type: 'submit', args: content });
  });
  els.decline.addEventListener('click', () => answer('decline'));
  els.cancel.addEventListener('click', () => answer('cancel'));

  window.addEventListener('message', (ev) => {
    const msg = ev.data;
    if (!msg || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'init': render(msg); break;
      case 'validation': showErrors(msg.errors, msg.note); break;
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
