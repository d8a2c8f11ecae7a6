// Call Tool webview. Renders the form model the extension sends (src/common/schemaForm.ts) with the shared renderer
// (media/schemaForm.js), collects arguments, and shows results (src/common/toolResults.ts). Every server string goes
// into the DOM through textContent or an attribute value: no HTML parsing, no markdown, no links. Messages:
// src/common/callToolProtocol.ts.
// @ts-check
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));

  /** @type {any} */ let init;
  /** @type {any} */ let rootWidget;
  let jsonMode = false;
  let running = false;
  const { h, showText, debounce, createRenderer } = /** @type {any} */ (window).McpSchemaForm;
  const { widget, placeErrors } = createRenderer({ onChange: () => scheduleValidate() });

  // ---- the page ----------------------------------------------------------------------------------------------------
  const els = {
    form: /** @type {HTMLFormElement} */ (h('form', { class: 'tool-form', novalidate: true })),
    fields: h('div', { class: 'fields' }),
    json: /** @type {HTMLTextAreaElement} */ (h('textarea', { class: 'json raw-json control', rows: '12', spellcheck: 'false', 'aria-label': 'Arguments as JSON', hidden: true })),
    formError: h('div', { class: 'form-error', role: 'alert', hidden: true }),
    formNote: h('div', { class: 'form-note muted', hidden: true }),
    call: /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary', id: 'call' })),
    toggle: /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'secondary', id: 'toggle-json', text: 'Edit as JSON' })),
    status: h('div', { class: 'status', role: 'status', 'aria-live': 'polite' }),
    result: h('section', { class: 'result', 'aria-label': 'Result', hidden: true }),
  };

  function render() {
    app.textContent = '';
    const t = init.tool;
    const notes = t.annotations.length ? h('div', { class: 'annotations' }, t.annotations.map((/** @type {string} */ a) => h('span', { class: `badge${a === 'destructive' ? ' danger' : ''}`, text: a }))) : undefined;
    const header = h('header', {}, [
      h('h1', {}, [h('span', { text: t.title || t.name }), t.title && t.title !== t.name ? h('span', { class: 'muted tool-name', text: ` ${t.name}` }) : undefined]),
      h('div', { class: 'muted server', text: `Server: ${init.server}` }),
      notes,
      t.description ? h('p', { class: 'description', text: t.description }) : undefined,
      t.destructive ? h('p', { class: 'warning', text: 'This tool is marked destructive: you will be asked to confirm before it runs.' }) : undefined,
    ]);
    els.call.textContent = 'Call Tool';
    rootWidget = widget(init.form, init.initialArgs);
    els.fields.textContent = '';
    els.fields.append(rootWidget.el);
    els.form.textContent = '';
    els.form.append(els.fields, els.json, els.formError, els.formNote, h('div', { class: 'actions' }, [els.call, els.toggle, els.status]));
    app.append(header, els.form, els.result);
    setJsonMode(false);
    scheduleValidate();
  }

  /** The arguments as the form (or the JSON box) has them, with a local error if they cannot be built. */
  function collect() {
    if (jsonMode) {
      const text = els.json.value.trim() || '{}';
      try {
        const v = JSON.parse(text);
        if (!v || typeof v !== 'object' || Array.isArray(v)) return { args: v, error: 'The arguments must be a JSON object.' };
        return { args: v };
      } catch (e) {
        return { args: undefined, error: `Not valid JSON: ${String(/** @type {Error} */ (e).message)}` };
      }
    }
    const r = rootWidget.get();
    return { args: r.value, error: r.error };
  }

  function setJsonMode(/** @type {boolean} */ on) {
    if (on) {
      els.json.value = JSON.stringify(collect().args ?? {}, null, 2);
    } else if (jsonMode) {
      const { args, error } = collect();
      if (error) { showFormError(error); return; }
      rootWidget = widget(init.form, args);
      els.fields.textContent = '';
      els.fields.append(rootWidget.el);
    }
    jsonMode = on;
    els.json.hidden = !on;
    els.fields.hidden = on;
    els.toggle.textContent = on ? 'Edit as Form' : 'Edit as JSON';
    scheduleValidate();
  }

  const showFormError = (/** @type {string | undefined} */ message) => showText(els.formError, message);

  const scheduleValidate = debounce(() => {
    const { args, error } = collect();
    showLocal(error);
    if (!error) vscode.postMessage({ type: 'validate', args });
  });

  function showLocal(/** @type {string | undefined} */ error) {
    showFormError(error);
    els.call.disabled = running || !!error;
  }

  /** Shows the extension's validation errors next to their fields (or at the top), and its note (which blocks nothing). */
  function showErrors(/** @type {{path: string, message: string}[]} */ errors, /** @type {string | undefined} */ note) {
    showText(els.formNote, note);
    const unplaced = placeErrors(jsonMode ? undefined : rootWidget, errors);
    showFormError(unplaced.join('\n') || undefined);
    els.call.disabled = running || errors.length > 0;
  }

  els.toggle.addEventListener('click', () => setJsonMode(!jsonMode));
  els.json.addEventListener('input', scheduleValidate);
  els.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (running) return;
    const { args, error } = collect();
    if (error) { showLocal(error); return; }
    vscode.postMessage({ type: 'call', args });
  });

  // ---- results -----------------------------------------------------------------------------------------------------
  function renderResult(/** @type {any} */ result, /** @type {number} */ elapsedMs) {
    els.result.textContent = '';
    els.result.hidden = false;
    els.result.classList.toggle('is-error', result.isError);
    els.result.append(h('h2', { text: result.isError ? 'The tool reported an error' : 'Result' }),
      h('div', { class: 'muted', text: `${(elapsedMs / 1000).toFixed(2)} s · ${result.totalChars} characters` }));
    for (const b of result.blocks) els.result.append(renderBlock(b, result.isError));
    if (result.truncated) {
      const btn = h('button', { type: 'button', class: 'secondary', id: 'open-full', text: 'Open Full Result as JSON' });
      btn.addEventListener('click', () => vscode.postMessage({ type: 'openFullResult' }));
      els.result.append(h('div', { class: 'truncated' }, [h('span', { text: 'The result is larger than what is shown here. ' }), btn]));
    } else {
      const btn = h('button', { type: 'button', class: 'link-button', id: 'open-full', text: 'Open as JSON' });
      btn.addEventListener('click', () => vscode.postMessage({ type: 'openFullResult' }));
      els.result.append(h('div', { class: 'result-actions' }, [btn]));
    }
  }

  function renderBlock(/** @type {any} */ b, /** @type {boolean} */ isError) {
    switch (b.kind) {
      case 'text': return h('pre', { class: `block text${isError ? ' error-text' : ''}`, text: b.text });
      case 'json': return h('div', { class: 'block' }, [h('div', { class: 'block-label', text: b.label }), h('pre', { class: 'json-view', text: b.text })]);
      case 'image': return h('figure', { class: 'block image' }, [
        h('img', { src: b.dataUri, alt: `Image returned by the tool (${b.mimeType})` }),
        h('figcaption', { class: 'muted', text: `${b.mimeType}, ${b.bytes} bytes` }),
      ]);
      case 'resource': return h('div', { class: 'block resource' }, [
        h('div', { class: 'block-label', text: b.label }),
        h('dl', {}, [
          h('dt', { text: 'URI' }), h('dd', { class: 'uri', text: b.uri }),
          b.name ? h('dt', { text: 'Name' }) : undefined, b.name ? h('dd', { text: b.name }) : undefined,
          b.mimeType ? h('dt', { text: 'MIME type' }) : undefined, b.mimeType ? h('dd', { text: b.mimeType }) : undefined,
          b.description ? h('dt', { text: 'Description' }) : undefined, b.description ? h('dd', { text: b.description }) : undefined,
          b.blobBytes !== undefined ? h('dt', { text: 'Binary' }) : undefined, b.blobBytes !== undefined ? h('dd', { text: `${b.blobBytes} bytes (not shown)` }) : undefined,
        ]),
        b.text !== undefined ? h('pre', { class: 'text', text: b.text }) : undefined,
      ]);
      default: return h('p', { class: 'block note muted', text: b.text });
    }
  }

  function setRunning(/** @type {boolean} */ on, /** @type {string | undefined} */ message) {
    running = on;
    els.call.disabled = on;
    els.call.textContent = on ? 'Calling…' : 'Call Tool';
    els.status.textContent = on ? (message || 'Running… (cancel from the notification)') : '';
  }

  function showFailure(/** @type {string} */ message) {
    els.result.textContent = '';
    els.result.hidden = false;
    els.result.classList.add('is-error');
    const logBtn = h('button', { type: 'button', class: 'secondary', text: 'Open Log' });
    logBtn.addEventListener('click', () => vscode.postMessage({ type: 'openLog' }));
    els.result.append(h('h2', { text: 'The call failed' }), h('pre', { class: 'block text error-text', text: message }), logBtn);
  }

  window.addEventListener('message', (ev) => {
    const msg = ev.data;
    if (!msg || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'init': init = msg; render(); break;
      case 'validation': showErrors(msg.errors, msg.note); break;
      case 'running': setRunning(true, msg.message); break;
      case 'result': setRunning(false); renderResult(msg.result, msg.elapsedMs); els.result.scrollIntoView({ block: 'nearest' }); break;
      case 'failed': setRunning(false); showFailure(msg.message); break;
      case 'cancelled': setRunning(false); els.status.textContent = 'Cancelled.'; break;
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
